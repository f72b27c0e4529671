-- CreateTable
CREATE TABLE "followers" (
    "id" SERIAL NOT NULL,
    "username" VARCHAR(32) NOT NULL,
    "actor" TEXT NOT NULL,
    "inbox" TEXT NOT NULL,
    "shared_inbox" TEXT,
    "follow_activity_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "followers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "followers_username_id_idx" ON "followers"("username", "id");

-- CreateIndex
CREATE UNIQUE INDEX "followers_username_actor_key" ON "followers"("username", "actor");

-- AddForeignKey
ALTER TABLE "followers" ADD CONSTRAINT "followers_username_fkey" FOREIGN KEY ("username") REFERENCES "users"("username") ON DELETE RESTRICT ON UPDATE CASCADE;
