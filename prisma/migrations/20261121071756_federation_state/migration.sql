-- CreateTable
CREATE TABLE "remote_keys" (
    "key_id" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "public_key_pem" TEXT NOT NULL,
    "fetched_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "remote_keys_pkey" PRIMARY KEY ("key_id")
);

-- CreateTable
CREATE TABLE "inbox_seen" (
    "activity_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_seen_pkey" PRIMARY KEY ("activity_id")
);

-- CreateTable
CREATE TABLE "deliveries" (
    "id" SERIAL NOT NULL,
    "activity_url" TEXT NOT NULL,
    "activity_id" UUID,
    "actor" VARCHAR(32) NOT NULL,
    "target" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "state" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "inbox_seen_received_at_idx" ON "inbox_seen"("received_at");

-- CreateIndex
CREATE INDEX "deliveries_activity_id_idx" ON "deliveries"("activity_id");

-- CreateIndex
CREATE UNIQUE INDEX "deliveries_activity_url_target_key" ON "deliveries"("activity_url", "target");
