import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "src/data/generated/", ".data/", "scratch/", "src/**/public/vendor/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  { files: ["bench/**", "scripts/**", "tests/**", "src/bots/terminal.ts"], rules: { "no-console": "off" } },
  // Scripts served to browsers (web chat, console).
  { files: ["src/**/public/**/*.js"], languageOptions: { globals: globals.browser } },
);
