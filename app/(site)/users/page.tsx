// GET /users — everyone registered, newest first, keyset-paged (API clients get app/api/users/route.ts).
import type { Metadata } from "next";
import { UserList } from "@/components/user-list";
import { listUsers } from "@/lib/accounts";
import { getContext } from "@/lib/runtime";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const page = await listUsers(await getContext(), { limit: 50 });
  return (
    <div className="space-y-6">
      <header className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
        <p className="text-stone-600">Everyone registered on this server, newest first. Each is an ActivityPub actor others can follow.</p>
      </header>
      <UserList initialPage={page} />
    </div>
  );
}
