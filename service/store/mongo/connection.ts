// Connects through mongoose, refuses a server without transactions, and prepares collections and indexes.
import mongoose, { mongo } from "mongoose";
import type { Schema } from "../schema";
import { prepareCollections } from "./collections";
import { REPLICA_SET_REQUIRED } from "./errors";

export interface MongoConnectOptions {
  /** Overrides the database named in the URI (tests use one database per test). */
  dbName?: string;
}

export interface MongoConnection {
  connection: mongoose.Connection;
  db: mongo.Db;
}

export async function connectMongo(uri: string, schema: Schema, options: MongoConnectOptions = {}): Promise<MongoConnection> {
  const connection = await mongoose
    .createConnection(uri, {
      dbName: options.dbName,
      // Reads outside a transaction see only majority-committed data, which is what a commit acknowledges.
      readConcernLevel: "majority",
      // An undefined field is left out, as JSON.stringify does in the SQLite adapter, not stored as null.
      ignoreUndefined: true,
    })
    .asPromise();
  try {
    const db = connection.db;
    if (db === undefined) throw new Error("mongoose connected without a database handle");
    await requireTransactions(db);
    await prepareCollections(db, schema);
    return { connection, db };
  } catch (err) {
    await connection.close();
    throw err;
  }
}

/** A replica set member reports setName, a mongos reports msg "isdbgrid"; a standalone server neither. */
async function requireTransactions(db: mongo.Db): Promise<void> {
  const hello = await db.command({ hello: 1 });
  if (typeof hello.setName !== "string" && hello.msg !== "isdbgrid") throw new Error(REPLICA_SET_REQUIRED);
}
