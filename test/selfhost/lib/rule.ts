/** A static check: what it is called, what it wants, and the violations it finds (none: it holds). */
export interface Rule<T> {
  readonly id: string
  readonly title: string
  readonly check: (subject: T) => string[]
}

export const rule = <T>(id: string, title: string, check: (subject: T) => string[]): Rule<T> => ({ id, title, check })
