CREATE TABLE "partition_fences" (
	"partition" integer NOT NULL,
	"token" bigint NOT NULL,
	CONSTRAINT "partition_fences_partition_pk" PRIMARY KEY("partition")
);
