import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // `{ dropped: _dropped, ...kept }` is how a field is left out of a copy.
      "@typescript-eslint/no-unused-vars": [
        "warn",
        { ignoreRestSiblings: true, argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    ignores: [
      "node_modules/**",
      ".next*/**",
      ".data/**",
      // The server bundle that build:server writes.
      ".server/**",
      "db/migrations/**",
      "playwright-report/**",
      "test-results*/**",
      "bench/results/**",
    ],
  },
];

export default config;
