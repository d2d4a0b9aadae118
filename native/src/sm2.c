// SM2 (GB/T 32918) sign and verify with SM3 and the GM/T 0009 default user id, over the OpenSSL 3.0 that Node
// itself carries (the addon links no OpenSSL of its own: the symbols resolve against the node binary).
// Keys are parsed once into an EVP_PKEY held by a JS external; JS caches those externals by key hex.
#include <node_api.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

#if OPENSSL_VERSION_MAJOR < 3
#error "sm2 needs the OpenSSL 3 API (EVP_PKEY_SM2 keys from OSSL_PARAMs)"
#endif

#define SM2_USER_ID "1234567812345678"
#define SM2_USER_ID_LEN 16
#define PUBLIC_KEY_LEN 65
#define PRIVATE_KEY_LEN 32
#define RS_LEN 64
// SEQUENCE { INTEGER r, INTEGER s } with each INTEGER at most 33 bytes.
#define DER_MAX 72

#define NAPI_CALL(env, call)                                   \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      napi_throw_error((env), "SM2_NAPI", "N-API call failed"); \
      return NULL;                                             \
    }                                                          \
  } while (0)

// ---- OpenSSL helpers: no N-API in here, so they run on libuv's pool too ----

static EVP_PKEY *key_from_params(const unsigned char *pub, size_t pub_len, const unsigned char *priv, int selection) {
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
  EVP_PKEY *pkey = NULL;
  BIGNUM *d = NULL;
  unsigned char d_native[PRIVATE_KEY_LEN];
  OSSL_PARAM params[4];
  int n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)SN_sm2, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pub, pub_len);
  if (priv != NULL) {
    // OSSL_PARAM integers are native-endian.
    d = BN_bin2bn(priv, PRIVATE_KEY_LEN, NULL);
    if (d == NULL || BN_bn2nativepad(d, d_native, PRIVATE_KEY_LEN) != PRIVATE_KEY_LEN) goto done;
    params[n++] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, d_native, PRIVATE_KEY_LEN);
  }
  params[n] = OSSL_PARAM_construct_end();
  if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0) {
    EVP_PKEY_free(pkey);
    pkey = NULL;
  }
done:
  OPENSSL_cleanse(d_native, sizeof d_native);
  BN_clear_free(d);
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  return pkey;
}

// The uncompressed point d·G, or 0 when d is not a usable scalar.
static int public_point_of(const unsigned char *priv, unsigned char out[PUBLIC_KEY_LEN]) {
  EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_sm2);
  EC_POINT *point = group ? EC_POINT_new(group) : NULL;
  BIGNUM *d = BN_bin2bn(priv, PRIVATE_KEY_LEN, NULL);
  int ok = point != NULL && d != NULL && !BN_is_zero(d) && EC_POINT_mul(group, point, d, NULL, NULL, NULL) &&
           EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, out, PUBLIC_KEY_LEN, NULL) == PUBLIC_KEY_LEN;
  BN_clear_free(d);
  EC_POINT_free(point);
  EC_GROUP_free(group);
  ERR_clear_error();
  return ok;
}

// An EVP_MD_CTX ready for DigestSign/DigestVerify with SM3 and the user id; NULL on failure.
static EVP_MD_CTX *digest_ctx(EVP_PKEY *pkey, int sign) {
  EVP_MD_CTX *mctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
  if (mctx != NULL && pctx != NULL && EVP_PKEY_CTX_set1_id(pctx, SM2_USER_ID, SM2_USER_ID_LEN) > 0) {
    EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
    int ok = sign ? EVP_DigestSignInit(mctx, NULL, EVP_sm3(), NULL, pkey) : EVP_DigestVerifyInit(mctx, NULL, EVP_sm3(), NULL, pkey);
    if (ok > 0) return mctx;
  }
  EVP_MD_CTX_free(mctx);
  EVP_PKEY_CTX_free(pctx);
  return NULL;
}

// The EVP_MD_CTX does not own a pkey context set with EVP_MD_CTX_set_pkey_ctx.
static void free_digest_ctx(EVP_MD_CTX *mctx) {
  if (mctx == NULL) return;
  EVP_PKEY_CTX_free(EVP_MD_CTX_get_pkey_ctx(mctx));
  EVP_MD_CTX_free(mctx);
}

// One DER INTEGER of a 32-byte big-endian unsigned value: leading zeros dropped, a 0x00 added before a high bit.
static size_t der_integer(const unsigned char *v, unsigned char *out) {
  size_t i = 0;
  while (i < 31 && v[i] == 0) i++;
  size_t len = 32 - i, pad = v[i] & 0x80 ? 1 : 0;
  out[0] = 0x02;
  out[1] = (unsigned char)(len + pad);
  if (pad) out[2] = 0x00;
  memcpy(out + 2 + pad, v + i, len);
  return 2 + pad + len;
}

static size_t rs_to_der(const unsigned char rs[RS_LEN], unsigned char der[DER_MAX]) {
  size_t n = 2;
  n += der_integer(rs, der + n);
  n += der_integer(rs + 32, der + n);
  der[0] = 0x30;
  der[1] = (unsigned char)(n - 2);
  return n;
}

static int der_to_rs(const unsigned char *der, size_t der_len, unsigned char rs[RS_LEN]) {
  const unsigned char *p = der;
  ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
  const BIGNUM *r = NULL, *s = NULL;
  int ok = sig != NULL;
  if (ok) ECDSA_SIG_get0(sig, &r, &s);
  ok = ok && BN_bn2binpad(r, rs, 32) == 32 && BN_bn2binpad(s, rs + 32, 32) == 32;
  ECDSA_SIG_free(sig);
  return ok;
}

static int verify_rs(EVP_PKEY *pkey, const unsigned char *msg, size_t msg_len, const unsigned char rs[RS_LEN]) {
  unsigned char der[DER_MAX];
  size_t der_len = rs_to_der(rs, der);
  EVP_MD_CTX *mctx = digest_ctx(pkey, 0);
  int ok = mctx != NULL && EVP_DigestVerify(mctx, der, der_len, msg, msg_len) == 1;
  free_digest_ctx(mctx);
  ERR_clear_error();
  return ok;
}

static int sign_rs(EVP_PKEY *pkey, const unsigned char *msg, size_t msg_len, unsigned char rs[RS_LEN]) {
  unsigned char der[DER_MAX];
  size_t der_len = sizeof der;
  EVP_MD_CTX *mctx = digest_ctx(pkey, 1);
  int ok = mctx != NULL && EVP_DigestSign(mctx, der, &der_len, msg, msg_len) == 1 && der_to_rs(der, der_len, rs);
  free_digest_ctx(mctx);
  ERR_clear_error();
  return ok;
}

// ---- N-API boundary ----

static void free_key(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  EVP_PKEY_free((EVP_PKEY *)data);
}

static napi_value wrap_key(napi_env env, EVP_PKEY *pkey) {
  napi_value result;
  if (pkey == NULL) {
    napi_get_null(env, &result);
    return result;
  }
  if (napi_create_external(env, pkey, free_key, NULL, &result) != napi_ok) {
    EVP_PKEY_free(pkey);
    napi_throw_error(env, "SM2_NAPI", "could not wrap the key");
    return NULL;
  }
  return result;
}

static int bytes_arg(napi_env env, napi_value value, const unsigned char **data, size_t *len) {
  bool is_typed;
  napi_typedarray_type type;
  size_t offset;
  napi_value buffer;
  void *base;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  if (napi_get_typedarray_info(env, value, &type, len, &base, &buffer, &offset) != napi_ok || type != napi_uint8_array) return 0;
  *data = base != NULL ? (const unsigned char *)base : (const unsigned char *)"";
  return 1;
}

static int fixed_bytes_arg(napi_env env, napi_value value, size_t want, const unsigned char **data) {
  size_t len;
  return bytes_arg(env, value, data, &len) && len == want;
}

static EVP_PKEY *key_arg(napi_env env, napi_value value) {
  void *data = NULL;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external || napi_get_value_external(env, value, &data) != napi_ok) return NULL;
  return (EVP_PKEY *)data;
}

static napi_value make_bool(napi_env env, int value) {
  napi_value result;
  napi_get_boolean(env, value != 0, &result);
  return result;
}

static napi_value get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  napi_value self;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < want) {
    napi_throw_type_error(env, "SM2_ARGUMENTS", "missing arguments");
    return NULL;
  }
  return self;
}

/** publicKey(pub: 65 bytes 04‖x‖y) → external key, or null when it is not an uncompressed point on the curve. */
static napi_value PublicKey(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  const unsigned char *pub;
  if (get_args(env, info, 1, argv) == NULL) return NULL;
  if (!fixed_bytes_arg(env, argv[0], PUBLIC_KEY_LEN, &pub) || pub[0] != 0x04) return wrap_key(env, NULL);
  EVP_PKEY *pkey = key_from_params(pub, PUBLIC_KEY_LEN, NULL, EVP_PKEY_PUBLIC_KEY);
  if (pkey != NULL) {
    // fromdata already refuses a point off the curve; the full check (n·Q = O) costs one multiplication per key.
    EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok = check != NULL && EVP_PKEY_public_check(check) == 1;
    EVP_PKEY_CTX_free(check);
    ERR_clear_error();
    if (!ok) {
      EVP_PKEY_free(pkey);
      pkey = NULL;
    }
  }
  return wrap_key(env, pkey);
}

/** privateKey(d: 32 bytes) → external key, or null when d·G cannot be formed (d = 0). Range is checked by the caller. */
static napi_value PrivateKey(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  const unsigned char *priv;
  unsigned char pub[PUBLIC_KEY_LEN];
  if (get_args(env, info, 1, argv) == NULL) return NULL;
  if (!fixed_bytes_arg(env, argv[0], PRIVATE_KEY_LEN, &priv) || !public_point_of(priv, pub)) return wrap_key(env, NULL);
  return wrap_key(env, key_from_params(pub, PUBLIC_KEY_LEN, priv, EVP_PKEY_KEYPAIR));
}

/** publicKeyOf(d: 32 bytes) → 65-byte uncompressed point, or null. */
static napi_value PublicKeyOf(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  const unsigned char *priv;
  unsigned char pub[PUBLIC_KEY_LEN];
  void *out;
  if (get_args(env, info, 1, argv) == NULL) return NULL;
  if (!fixed_bytes_arg(env, argv[0], PRIVATE_KEY_LEN, &priv) || !public_point_of(priv, pub)) {
    napi_get_null(env, &result);
    return result;
  }
  NAPI_CALL(env, napi_create_buffer_copy(env, PUBLIC_KEY_LEN, pub, &out, &result));
  return result;
}

/** verify(key, message, rs: 64 bytes) → boolean. */
static napi_value Verify(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  const unsigned char *msg, *rs;
  size_t msg_len;
  if (get_args(env, info, 3, argv) == NULL) return NULL;
  EVP_PKEY *pkey = key_arg(env, argv[0]);
  if (pkey == NULL || !bytes_arg(env, argv[1], &msg, &msg_len) || !fixed_bytes_arg(env, argv[2], RS_LEN, &rs)) {
    napi_throw_type_error(env, "SM2_ARGUMENTS", "verify(key, Uint8Array message, 64-byte r||s)");
    return NULL;
  }
  return make_bool(env, verify_rs(pkey, msg, msg_len, rs));
}

/** sign(key, message) → 64-byte r‖s. */
static napi_value Sign(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  const unsigned char *msg;
  size_t msg_len;
  unsigned char rs[RS_LEN];
  void *out;
  if (get_args(env, info, 2, argv) == NULL) return NULL;
  EVP_PKEY *pkey = key_arg(env, argv[0]);
  if (pkey == NULL || !bytes_arg(env, argv[1], &msg, &msg_len)) {
    napi_throw_type_error(env, "SM2_ARGUMENTS", "sign(key, Uint8Array message)");
    return NULL;
  }
  if (!sign_rs(pkey, msg, msg_len, rs)) {
    napi_throw_error(env, "SM2_SIGN", "SM2 signing failed");
    return NULL;
  }
  NAPI_CALL(env, napi_create_buffer_copy(env, RS_LEN, rs, &out, &result));
  return result;
}

// ---- Batch verification on libuv's pool ----

typedef struct {
  EVP_PKEY *pkey;   // one reference of our own, taken on the JS thread
  size_t msg_off;   // into batch->bytes
  size_t msg_len;
  unsigned char rs[RS_LEN];
  int ok;
} verify_job;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  size_t count;
  verify_job *jobs;
  unsigned char *bytes;  // the messages, copied: the JS buffers may change or be collected meanwhile
} verify_batch;

static void free_batch(verify_batch *batch) {
  for (size_t i = 0; i < batch->count; i++) EVP_PKEY_free(batch->jobs[i].pkey);
  free(batch->jobs);
  free(batch->bytes);
  free(batch);
}

static void batch_execute(napi_env env, void *data) {
  (void)env;
  verify_batch *batch = data;
  for (size_t i = 0; i < batch->count; i++) {
    verify_job *job = &batch->jobs[i];
    job->ok = verify_rs(job->pkey, batch->bytes + job->msg_off, job->msg_len, job->rs);
  }
}

static void batch_complete(napi_env env, napi_status status, void *data) {
  verify_batch *batch = data;
  napi_value results, value;
  if (status == napi_ok && napi_create_array_with_length(env, batch->count, &results) == napi_ok) {
    for (size_t i = 0; i < batch->count; i++) {
      napi_get_boolean(env, batch->jobs[i].ok != 0, &value);
      napi_set_element(env, results, (uint32_t)i, value);
    }
    napi_resolve_deferred(env, batch->deferred, results);
  } else {
    napi_value message;
    napi_create_string_utf8(env, "SM2 batch verification was cancelled", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &value);
    napi_reject_deferred(env, batch->deferred, value);
  }
  napi_delete_async_work(env, batch->work);
  free_batch(batch);
}

/** verifyBatch(keys[], messages[], signatures[]) → Promise<boolean[]>, computed on libuv's thread pool. */
static napi_value VerifyBatch(napi_env env, napi_callback_info info) {
  napi_value argv[3], promise, name, item;
  uint32_t count, lens[3];
  if (get_args(env, info, 3, argv) == NULL) return NULL;
  for (int a = 0; a < 3; a++) {
    bool is_array;
    NAPI_CALL(env, napi_is_array(env, argv[a], &is_array));
    if (!is_array || napi_get_array_length(env, argv[a], &lens[a]) != napi_ok) {
      napi_throw_type_error(env, "SM2_ARGUMENTS", "verifyBatch(keys[], messages[], signatures[])");
      return NULL;
    }
  }
  count = lens[0];
  if (lens[1] != count || lens[2] != count) {
    napi_throw_range_error(env, "SM2_ARGUMENTS", "verifyBatch: arrays of different lengths");
    return NULL;
  }
  verify_batch *batch = calloc(1, sizeof *batch);
  if (batch == NULL || (count > 0 && (batch->jobs = calloc(count, sizeof *batch->jobs)) == NULL)) {
    free(batch);
    napi_throw_error(env, "SM2_MEMORY", "out of memory");
    return NULL;
  }
  size_t total = 0;
  const char *failure = NULL;
  for (uint32_t i = 0; i < count && failure == NULL; i++) {
    const unsigned char *msg, *rs;
    size_t msg_len;
    EVP_PKEY *pkey;
    NAPI_CALL(env, napi_get_element(env, argv[0], i, &item));
    pkey = key_arg(env, item);
    NAPI_CALL(env, napi_get_element(env, argv[2], i, &item));
    if (pkey == NULL || !fixed_bytes_arg(env, item, RS_LEN, &rs)) {
      failure = "verifyBatch: each job needs a key and a 64-byte r||s";
      break;
    }
    NAPI_CALL(env, napi_get_element(env, argv[1], i, &item));
    if (!bytes_arg(env, item, &msg, &msg_len)) {
      failure = "verifyBatch: each message is a Uint8Array";
      break;
    }
    EVP_PKEY_up_ref(pkey);
    batch->jobs[i].pkey = pkey;
    batch->jobs[i].msg_off = total;
    batch->jobs[i].msg_len = msg_len;
    memcpy(batch->jobs[i].rs, rs, RS_LEN);
    batch->count = i + 1;
    total += msg_len;
  }
  if (failure == NULL && (batch->bytes = malloc(total > 0 ? total : 1)) == NULL) failure = "out of memory";
  if (failure != NULL) {
    free_batch(batch);
    napi_throw_type_error(env, "SM2_ARGUMENTS", failure);
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    const unsigned char *msg;
    size_t msg_len;
    NAPI_CALL(env, napi_get_element(env, argv[1], i, &item));
    if (bytes_arg(env, item, &msg, &msg_len)) memcpy(batch->bytes + batch->jobs[i].msg_off, msg, msg_len);
  }
  NAPI_CALL(env, napi_create_promise(env, &batch->deferred, &promise));
  NAPI_CALL(env, napi_create_string_utf8(env, "sm2.verifyBatch", NAPI_AUTO_LENGTH, &name));
  NAPI_CALL(env, napi_create_async_work(env, NULL, name, batch_execute, batch_complete, batch, &batch->work));
  NAPI_CALL(env, napi_queue_async_work(env, batch->work));
  return promise;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
      {"publicKey", NULL, PublicKey, NULL, NULL, NULL, napi_default, NULL},
      {"privateKey", NULL, PrivateKey, NULL, NULL, NULL, napi_default, NULL},
      {"publicKeyOf", NULL, PublicKeyOf, NULL, NULL, NULL, napi_default, NULL},
      {"verify", NULL, Verify, NULL, NULL, NULL, napi_default, NULL},
      {"sign", NULL, Sign, NULL, NULL, NULL, napi_default, NULL},
      {"verifyBatch", NULL, VerifyBatch, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods) != napi_ok) return NULL;
  return exports;
}
