/** Body limits of the console's forms. */
/** A reply or template form: the API's reply limit is 64 KiB; a form of it is at most that too. */
export const CONSOLE_FORM_LIMIT = 64 * 1024
