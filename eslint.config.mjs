import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: ["node_modules/**", ".next*/**", ".data/**", "db/migrations/**", "playwright-report/**", "test-results*/**", "bench/results/**"] },
];

export default config;
