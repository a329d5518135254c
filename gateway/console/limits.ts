/** Body limits of the console's forms. */
/** A reply or template form: the API's reply limit is 64 KiB; a form of it is at most that too. */
export const CONSOLE_FORM_LIMIT = 64 * 1024
/** An attachment form: the largest file a channel takes (WhatsApp documents: 100 MiB) and its envelope, as the API's upload route. */
export const CONSOLE_ATTACHMENT_LIMIT = 100 * 1024 * 1024 + 64 * 1024
