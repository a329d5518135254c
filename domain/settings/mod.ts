/** The settings document: its schema, defaults, validation and merge patch. */
export * from "./SettingsDocument.ts"
export { applyMergePatch, canonicalJson, isPlainObject } from "./mergePatch.ts"
export { formatPath, SETTINGS_PROBLEM_CODES, type SettingsProblem } from "./issues.ts"
export { WEEKDAYS, type Weekday, type Slot } from "./officeHours.ts"
export { AUTO_REPLY_PLACEHOLDERS } from "./autoReplies.ts"
export { defaultTexts } from "./defaults.ts"
