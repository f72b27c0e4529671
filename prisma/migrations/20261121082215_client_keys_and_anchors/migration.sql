-- AlterTable
ALTER TABLE "activities" ADD COLUMN     "anchor_path" BYTEA,
ADD COLUMN     "anchor_root" CHAR(64);

-- CreateTable
CREATE TABLE "client_keys" (
    "id" SERIAL NOT NULL,
    "did_key" VARCHAR(128) NOT NULL,
    "username" VARCHAR(32) NOT NULL,
    "label" VARCHAR(100),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "client_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moo_auth_seen" (
    "key" CHAR(64) NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "moo_auth_seen_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "inbox_items" (
    "id" SERIAL NOT NULL,
    "username" VARCHAR(32) NOT NULL,
    "activity_id" TEXT NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "actor" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "anchors" (
    "id" SERIAL NOT NULL,
    "root" CHAR(64) NOT NULL,
    "state" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "activity_count" INTEGER NOT NULL,
    "calendars" JSONB NOT NULL DEFAULT '[]',
    "timestamp" BYTEA,
    "block_height" INTEGER,
    "block_time" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "submitted_at" TIMESTAMPTZ(3),
    "upgraded_at" TIMESTAMPTZ(3),
    "confirmed_at" TIMESTAMPTZ(3),

    CONSTRAINT "anchors_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "client_keys_did_key_key" ON "client_keys"("did_key");

-- CreateIndex
CREATE INDEX "client_keys_username_id_idx" ON "client_keys"("username", "id");

-- CreateIndex
CREATE INDEX "moo_auth_seen_seen_at_idx" ON "moo_auth_seen"("seen_at");

-- CreateIndex
CREATE INDEX "inbox_items_username_id_idx" ON "inbox_items"("username", "id");

-- CreateIndex
CREATE UNIQUE INDEX "inbox_items_username_activity_id_key" ON "inbox_items"("username", "activity_id");

-- CreateIndex
CREATE UNIQUE INDEX "anchors_root_key" ON "anchors"("root");

-- CreateIndex
CREATE INDEX "anchors_state_id_idx" ON "anchors"("state", "id");

-- CreateIndex
CREATE INDEX "activities_anchor_root_index_idx" ON "activities"("anchor_root", "index");

-- AddForeignKey
ALTER TABLE "activities" ADD CONSTRAINT "activities_anchor_root_fkey" FOREIGN KEY ("anchor_root") REFERENCES "anchors"("root") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_keys" ADD CONSTRAINT "client_keys_username_fkey" FOREIGN KEY ("username") REFERENCES "users"("username") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_username_fkey" FOREIGN KEY ("username") REFERENCES "users"("username") ON DELETE CASCADE ON UPDATE CASCADE;
