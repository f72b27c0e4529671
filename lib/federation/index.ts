// Federation (product.md §4): the documents other servers discover us by (WebFinger, NodeInfo,
// actors, collections), inboxes with HTTP-signature verification, and signed delivery through the
// job queue with per-target state, and each user's inbox of received activities. Signature
// mechanics live in lib/http-signatures; client keys (Moo-Auth-1) in lib/clients.
export { actorDocument, instanceActorDocument, nodeinfo, nodeinfoLinks, webfinger, webfingerUsername, type Jrd } from "./documents";
export { collectionQuery, getCollection, PAGE_SIZE, type CollectionName, type CollectionQuery } from "./collections";
export {
  DELIVER_JOB,
  deliverPayload,
  enqueueDeliveries,
  followerInboxes,
  listDeliveries,
  MAX_DELIVERY_ATTEMPTS,
  performDeliveries,
  performDelivery,
  type DeliveryView,
} from "./delivery";
export { cleanupInboxSeen, receiveActivity, type InboxOutcome } from "./inbox";
export { fetchActivityPubDocument, KEY_CONFIRMATION_MAX_AGE_SECONDS, type KeyResolution, type RemoteActor } from "./remote";
