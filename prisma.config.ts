import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// Prisma's native schema engine cannot be downloaded everywhere Tabib is built, so the
// CLI runs on its Wasm engine through a driver adapter. Only `generate` and
// `migrate diff` are used; migrations are applied by src/data/migrate.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  engine: "js",
  experimental: { adapter: true },
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://localhost/unused" });
  },
});
