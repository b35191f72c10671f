// #region errors
/** No enabled model serves the usage type. */
export class ModelNotFoundError extends Error {
  readonly code = 'E_MODEL_NOT_FOUND'
  readonly usageType: string
  constructor(usageType: string) {
    super(`No enabled model for usage type "${usageType}"`)
    this.name = 'ModelNotFoundError'
    this.usageType = usageType
  }
}

/** A model already holds that (usage type, priority). */
export class ModelExistsError extends Error {
  readonly code = 'E_MODEL_EXISTS'
  constructor(usageType: string, priority: number, options?: ErrorOptions) {
    super(
      `A model already serves ${usageType} at priority ${priority}`,
      options,
    )
    this.name = 'ModelExistsError'
  }
}

// Guards check the code, not instanceof, so they work across package copies.
const hasCode = (error: unknown, code: string): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: unknown }).code === code

export const isModelNotFoundError = (e: unknown): e is ModelNotFoundError =>
  hasCode(e, 'E_MODEL_NOT_FOUND')
export const isModelExistsError = (e: unknown): e is ModelExistsError =>
  hasCode(e, 'E_MODEL_EXISTS')
// #endregion errors
