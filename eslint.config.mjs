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
    files: ["app/**/*.tsx", "components/**/*.tsx"],
    rules: {
      // Every page of the console is rendered per request behind a permission check, so a prefetch
      // is a server render that nobody may look at: the explorer's links cost the server about 16
      // prefetches per view, more than the view itself (docs/performance.md, "Prefetching").
      "no-restricted-syntax": [
        "error",
        {
          selector: 'JSXOpeningElement[name.name="Link"]:not(:has(JSXAttribute[name.name="prefetch"]))',
          message: "Give <Link> prefetch={false}: console pages are rendered per request (docs/performance.md).",
        },
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
