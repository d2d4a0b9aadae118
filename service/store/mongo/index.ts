// The production adapter: a Store on a MongoDB replica set through mongoose.
export { openMongoStore, type MongoStoreOptions } from "./store";
