-- AlterTable
ALTER TABLE "remote_keys" ADD COLUMN     "owner_confirmed_at" TIMESTAMPTZ(3);
