-- AlterEnum
ALTER TYPE "ActorKind" ADD VALUE 'client';

-- AlterTable
ALTER TABLE "staff_user" ADD COLUMN     "token_version" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "console_session" ADD COLUMN     "token_version" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "api_client" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "client_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by_id" UUID,
    "secret_rotated_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "token_version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "api_client_pkey" PRIMARY KEY ("id")
);

-- CreateTable (UNLOGGED by hand: counters of recent attempts need no WAL and no crash safety;
-- Prisma's schema cannot say it, and the drift test does not compare persistence)
CREATE UNLOGGED TABLE "rate_limit_window" (
    "key" TEXT NOT NULL,
    "hits" BIGINT[],
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_limit_window_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_client_client_id_key" ON "api_client"("client_id");

-- CreateIndex
CREATE INDEX "api_client_clinic_id_idx" ON "api_client"("clinic_id");

-- CreateIndex
CREATE INDEX "rate_limit_window_expires_at_idx" ON "rate_limit_window"("expires_at");


-- One hit against a sliding-window limit, atomically, for every instance sharing this database
-- (used when Redis is not configured). p_count: 'take' counts the hit only when under the limit,
-- 'record' counts it anyway (a failure to remember), 'check' never counts. allowed says whether
-- the key was under its limit before this hit; retry_after_ms, when not, how long until it is.
CREATE FUNCTION rate_limit_hit(p_key text, p_now bigint, p_window_ms bigint, p_max integer, p_count text)
RETURNS TABLE (allowed boolean, retry_after_ms bigint)
LANGUAGE plpgsql AS $$
DECLARE
  recent bigint[];
  expires timestamptz := to_timestamp((p_now + p_window_ms) / 1000.0);
BEGIN
  INSERT INTO rate_limit_window (key, hits, expires_at) VALUES (p_key, '{}', expires) ON CONFLICT (key) DO NOTHING;
  SELECT ARRAY(SELECT h FROM unnest(w.hits) AS h WHERE h > p_now - p_window_ms ORDER BY h) INTO recent
    FROM rate_limit_window w WHERE w.key = p_key FOR UPDATE;
  -- Not found: the row was purged as expired between the two statements, so nothing is recent.
  recent := COALESCE(recent, '{}');
  allowed := cardinality(recent) < p_max;
  IF p_count = 'record' OR (p_count = 'take' AND allowed) THEN
    recent := recent || p_now;
  END IF;
  INSERT INTO rate_limit_window AS w (key, hits, expires_at) VALUES (p_key, recent, expires)
    ON CONFLICT (key) DO UPDATE SET hits = EXCLUDED.hits, expires_at = GREATEST(w.expires_at, EXCLUDED.expires_at);
  retry_after_ms := CASE WHEN allowed THEN 0
    ELSE GREATEST(1, recent[cardinality(recent) - p_max + 1] + p_window_ms - p_now) END;
  -- Keys nobody has hit for a while are dropped now and then, by whichever call draws it.
  IF random() < 0.002 THEN
    DELETE FROM rate_limit_window WHERE expires_at < to_timestamp(p_now / 1000.0) - interval '1 minute';
  END IF;
  RETURN NEXT;
END
$$;
