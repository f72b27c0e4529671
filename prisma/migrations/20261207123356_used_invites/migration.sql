-- CreateTable
CREATE TABLE "used_invites" (
    "invite_id" VARCHAR(64) NOT NULL,
    "username" VARCHAR(32) NOT NULL,
    "used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "used_invites_pkey" PRIMARY KEY ("invite_id")
);
