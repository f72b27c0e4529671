// GET /users/{username}/following — an OrderedCollection, keyset-paged newest first (product.md §4).
import { methodNotAllowed } from "@/lib/http";
import { collectionRoute } from "../collection-route";

export const GET = collectionRoute("following");

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
