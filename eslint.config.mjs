// ESLint over the whole TypeScript tree with typescript-eslint's recommended type-checked rules (they read
// tsconfig.json's program). Tests read JSON answers freely: the few rules about untyped values are off there.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "artifacts/**", "cache/**", "typechain-types/**", "node_modules/**", "native/build/**", "test-results/**", "data/**", "native/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // The store adapters implement an async port over synchronous SQLite calls: `async` there is the contract's
      // shape, not a missing await.
      "@typescript-eslint/require-await": "off",
      // `_name` marks a value deliberately unused (a destructured field left out of a copy).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    files: ["test/**/*.ts", "scripts/**/*.ts"],
    rules: {
      // Tests and benchmarks read JSON bodies as `any` and assert on them; production code may not.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // chai's `expect(x).to.be.true` style properties read as unused expressions.
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
);
