// Loads the compiled addon (build/Release/sm2.node, built by `node-gyp rebuild` at install). Throws when it was not built.
"use strict";
module.exports = require("./build/Release/sm2.node");
