-- CreateTable
CREATE TABLE "assets" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(128) NOT NULL,
    "content_hash" CHAR(64) NOT NULL,
    "asset_type" VARCHAR(16) NOT NULL,
    "tags" TEXT[],
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "url" TEXT,
    "ipfs_cid" TEXT,
    "owner" VARCHAR(32) NOT NULL,
    "provenance" JSONB,
    "run_l1_server" TEXT,
    "run_id" TEXT,
    "activity_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "assets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "activities" (
    "id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "type" VARCHAR(32) NOT NULL,
    "actor" VARCHAR(32) NOT NULL,
    "body" TEXT NOT NULL,
    "published" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "activities_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "assets_name_key" ON "assets"("name");

-- CreateIndex
CREATE UNIQUE INDEX "assets_content_hash_key" ON "assets"("content_hash");

-- CreateIndex
CREATE UNIQUE INDEX "assets_activity_id_key" ON "assets"("activity_id");

-- CreateIndex
CREATE INDEX "assets_owner_id_idx" ON "assets"("owner", "id");

-- CreateIndex
CREATE INDEX "assets_asset_type_id_idx" ON "assets"("asset_type", "id");

-- CreateIndex
CREATE INDEX "assets_tags_idx" ON "assets" USING GIN ("tags");

-- CreateIndex
CREATE UNIQUE INDEX "assets_run_l1_server_run_id_key" ON "assets"("run_l1_server", "run_id");

-- CreateIndex
CREATE UNIQUE INDEX "activities_index_key" ON "activities"("index");

-- CreateIndex
CREATE INDEX "activities_actor_index_idx" ON "activities"("actor", "index");

-- AddForeignKey
ALTER TABLE "assets" ADD CONSTRAINT "assets_owner_fkey" FOREIGN KEY ("owner") REFERENCES "users"("username") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assets" ADD CONSTRAINT "assets_activity_id_fkey" FOREIGN KEY ("activity_id") REFERENCES "activities"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "activities" ADD CONSTRAINT "activities_actor_fkey" FOREIGN KEY ("actor") REFERENCES "users"("username") ON DELETE RESTRICT ON UPDATE CASCADE;
