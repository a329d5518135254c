/** The sign-in form, decoded with a Schema like every input. */
import { Schema } from "effect"
import { PASSWORD_MAX_LENGTH } from "../../../actors/people/password.ts"

export const SIGN_IN_BODY_LIMIT = 8 * 1024

export const SignInForm = Schema.Struct({
  _csrf: Schema.String,
  next: Schema.optionalKey(Schema.String),
  email: Schema.String.check(Schema.isMinLength(1, { message: "fill in your e-mail address" }), Schema.isMaxLength(320, { message: "at most 320 characters" })),
  password: Schema.String.check(Schema.isMinLength(1, { message: "fill in your password" }), Schema.isMaxLength(PASSWORD_MAX_LENGTH, { message: `at most ${PASSWORD_MAX_LENGTH} characters` }))
})
