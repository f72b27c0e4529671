-- CreateTable
CREATE TABLE "user_renderers" (
    "id" SERIAL NOT NULL,
    "username" VARCHAR(32) NOT NULL,
    "l1_server" TEXT NOT NULL,
    "attached_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_renderers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "issued_tokens" (
    "token_hash" CHAR(64) NOT NULL,
    "username" VARCHAR(32) NOT NULL,
    "l1_server" TEXT NOT NULL,
    "parent_hash" CHAR(64) NOT NULL,
    "token_ciphertext" TEXT NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "issued_tokens_pkey" PRIMARY KEY ("token_hash")
);

-- CreateIndex
CREATE UNIQUE INDEX "user_renderers_username_l1_server_key" ON "user_renderers"("username", "l1_server");

-- CreateIndex
CREATE INDEX "issued_tokens_parent_hash_idx" ON "issued_tokens"("parent_hash");

-- CreateIndex
CREATE INDEX "issued_tokens_username_l1_server_idx" ON "issued_tokens"("username", "l1_server");

-- CreateIndex
CREATE INDEX "issued_tokens_expires_at_idx" ON "issued_tokens"("expires_at");

-- AddForeignKey
ALTER TABLE "user_renderers" ADD CONSTRAINT "user_renderers_username_fkey" FOREIGN KEY ("username") REFERENCES "users"("username") ON DELETE RESTRICT ON UPDATE CASCADE;
