import { z } from "zod";
import { keysetCursorSchema, pageLimitSchema, storableInput } from "@/lib/http";

/** Usernames are part of URLs and handles (product.md §2). */
export const USERNAME_PATTERN = /^[a-z0-9_]{1,32}$/;

export const usernameSchema = z
  .string({ error: "username must be a string" })
  .min(1, "username is required")
  .max(32, "username must be at most 32 characters")
  .regex(USERNAME_PATTERN, "username may contain only a–z, 0–9 and _ (lower case)");

const passwordSchema = z
  .string({ error: "password must be a string" })
  .min(8, "password must be at least 8 characters")
  .max(256, "password must be at most 256 characters");

export const registerUserInput = storableInput(
  z.object({
    username: usernameSchema,
    password: passwordSchema,
    /** A single-use invite from `npm run invite` (required when REGISTRATION=invite). */
    invite: z.string({ error: "invite must be a string" }).max(256, "invite is not a valid invite").optional(),
  }),
);
export type RegisterUserInput = z.infer<typeof registerUserInput>;

// Login checks only types and sizes: a malformed username is just an unknown user (one 401 for all).
export const loginInput = storableInput(
  z.object({
    username: z.string({ error: "username must be a string" }).min(1, "username is required").max(256),
    password: z.string({ error: "password must be a string" }).min(1, "password is required").max(1024),
  }),
);
export type LoginInput = z.infer<typeof loginInput>;

/** Query of GET /users. */
export const listUsersQuery = z.object({
  cursor: keysetCursorSchema.optional(),
  limit: pageLimitSchema(50),
});
