// Federation (product.md §4): the documents other servers discover us by — WebFinger, NodeInfo and
// actors. Inboxes, collections and delivery build on these.
export { actorDocument, nodeinfo, nodeinfoLinks, webfinger, webfingerUsername, type Jrd } from "./documents";
export { collectionQuery, getCollection, PAGE_SIZE, type CollectionName, type CollectionQuery } from "./collections";
