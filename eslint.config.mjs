// ESLint: Next's recommended rules (core web vitals), typescript-eslint's recommended rules, and the
// import boundaries of docs/architecture.md, so a wrong import shows in the editor and in `npm run lint`.
//
// The boundaries are stated with no-restricted-imports, one block per folder (each lib module gets
// its own, built from the lib/ folder list), because that rule takes one option set per file:
// - another lib module is imported through its face, `@/lib/<a>` (lib/<a>/index.ts), never
//   `@/lib/<a>/<file>` (nor `../lib/<a>/<file>`); a module's own files import each other freely.
//   Tests, lib/testing, e2e/ and the benchmarks (scripts/bench, which time inner functions the way
//   tests call them) may reach inside.
// - lib/ is framework-free: no next/*, next-auth or react.
// - app/ sits on top: nothing in lib/ or components/ imports from it.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import nextVitals from "eslint-config-next/core-web-vitals";
import prettier from "eslint-config-prettier/flat";
import tseslint from "typescript-eslint";

const root = import.meta.dirname;
const libModules = readdirSync(path.join(root, "lib")).filter((name) => statSync(path.join(root, "lib", name)).isDirectory());

const mayReachInside = ["**/*.test.ts", "**/*.test.tsx", "lib/testing/**", "e2e/**", "scripts/bench/**"];

const faceMessage = "Import another lib module through its face, @/lib/<module> (its index.ts), not one of its files.";
/** `@/lib/<a>/<file>` or `../lib/<a>/<file>` for every module <a> except `own`. */
const deepImport = (own) => ({
  regex: `^(?:@/|\\./|(?:\\.\\./)+)lib/${own ? `(?!${own}/)` : ""}[^/]+/`,
  message: faceMessage,
});
/** Inside lib/<a>, a relative path that leaves the module (`../tokens/jwt`, `../tokens`). */
const leavesModule = { group: ["../*"], message: faceMessage };
const fromApp = {
  group: ["@/app", "@/app/*"],
  message: "app/ sits on top: lib/ and components/ do not import from it (move the shared piece down).",
};
const framework = [
  { group: ["next", "next/*", "next-auth", "next-auth/*"], message: "lib/ is framework-free: no next/* or next-auth (that glue lives in app/ or auth.ts)." },
  { group: ["react", "react/*", "react-dom", "react-dom/*"], message: "lib/ is framework-free: no react." },
];

const restrictImports = (files, patterns) => ({
  files,
  ignores: mayReachInside,
  rules: { "no-restricted-imports": ["error", { patterns }] },
});

export default [
  { ignores: ["node_modules/**", ".next/**", "generated/**", "test-results/**", "playwright-report/**", ".data/**", "next-env.d.ts"] },
  ...nextVitals,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a binding kept on purpose (a destructured field left out, a
      // parameter a callback signature requires).
      "@typescript-eslint/no-unused-vars": [
        "warn",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  // Tool configuration files export their settings object directly, as each tool documents.
  { files: ["*.config.{mjs,ts}"], rules: { "import/no-anonymous-default-export": "off" } },
  restrictImports(["app/**", "scripts/**", "*.ts", "*.tsx", "*.mjs"], [deepImport(null)]),
  // Layout is Prettier's (.prettierrc.json, checked by npm run lint): ESLint's style rules stay off.
  prettier,
  restrictImports(["components/**"], [deepImport(null), fromApp]),
  restrictImports(["lib/*.ts"], [deepImport(null), fromApp, ...framework]),
  ...libModules.map((name) => restrictImports([`lib/${name}/**`], [deepImport(name), leavesModule, fromApp, ...framework])),
];
