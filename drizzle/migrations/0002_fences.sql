CREATE TABLE `partition_fences` (
	`partition` integer PRIMARY KEY NOT NULL,
	`token` integer NOT NULL
);
