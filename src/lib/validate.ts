import * as v from "valibot";
import { AppError } from "./errors";

/**
 * valibot at the edge of the domain: the first issue becomes THE error type with the field it
 * concerns, so a form shows it beside its input and the API answers `{ error, message, field }`.
 */
export function parseOrThrow<T extends v.GenericSchema>(schema: T, input: unknown, field: string): v.InferOutput<T> {
  const r = v.safeParse(schema, input);
  if (!r.success) throw new AppError(400, "invalid_input", r.issues[0]!.message, { field });
  return r.output;
}

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

export const EmailSchema = v.pipe(
  v.string("Email is required"),
  v.trim(),
  v.toLowerCase(),
  v.nonEmpty("Email is required"),
  v.maxLength(254, "Email is too long"),
  v.email("Enter a valid email address, like name@example.com"),
);
export const PasswordSchema = v.pipe(
  v.string("Password is required"),
  v.minLength(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`),
  v.maxLength(MAX_PASSWORD_LENGTH, `Use at most ${MAX_PASSWORD_LENGTH} characters`),
);
