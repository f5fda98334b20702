/*
 * tests/unit/test_evm_tx.c — keys, addresses, signed transactions and the
 * anchor calldata.
 *
 * Vectors: EIP-155's worked example (legacy signing: RLP + Keccak +
 * secp256k1 with RFC 6979 nonces); EIP-1559 transactions signed by
 * ethereumjs (ethereumjs-monorepo packages/tx/test/json/eip1559.json, whose
 * records wrap the typed transaction in an RLP string: the b87x prefix is
 * dropped here); EIP-55's checksum examples; anvil's dev account 0.
 */
#include <sys/stat.h>

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anchor/anchor_err.h"
#include "anchor/evm_key.h"
#include "anchor/evm_tx.h"
#include "anchor/hex.h"
#include "anchor/keccak.h"
#include "anchor/rlp.h"

#define DEV_KEY \
	"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#define DEV_ADDR "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

static struct evm_key *
key_from(const char *hex)
{
	struct evm_key *k;

	ck_assert_int_eq(evm_key_from_hex(hex, strlen(hex), &k), 0);
	return k;
}

static void
ck_bytes_hex(const uint8_t *b, size_t len, const char *want)
{
	char *hex = malloc(2 * len + 1);

	ck_assert_ptr_nonnull(hex);
	ck_assert_int_eq(anchor_hex_encode(b, len, hex, 2 * len + 1), 0);
	ck_assert_str_eq(hex, want);
	free(hex);
}

START_TEST(test_dev_account_address)
{
	struct evm_key *k = key_from(DEV_KEY);
	uint8_t		addr[EVM_ADDRESS_LEN], parsed[EVM_ADDRESS_LEN];
	char		hex[EVM_ADDRESS_HEX_LEN];

	evm_key_address(k, addr);
	ck_assert_int_eq(evm_address_to_hex(addr, hex, sizeof(hex)), 0);
	ck_assert_str_eq(hex, DEV_ADDR);
	ck_assert_int_eq(evm_address_from_hex(DEV_ADDR, parsed), 0);
	ck_assert_mem_eq(addr, parsed, sizeof(addr));
	ck_assert_int_eq(evm_address_to_hex(addr, hex, 42), ANCHOR_ENOSPC);
	evm_key_free(k);
	evm_key_free(NULL);
}
END_TEST

START_TEST(test_eip55)
{
	static const char *good[] = {
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	};
	uint8_t addr[EVM_ADDRESS_LEN];
	char	hex[EVM_ADDRESS_HEX_LEN], bad[EVM_ADDRESS_HEX_LEN];
	size_t	i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_int_eq(evm_address_from_hex(good[i], addr), 0);
		ck_assert_int_eq(evm_address_to_hex(addr, hex, sizeof(hex)), 0);
		ck_assert_str_eq(hex, good[i]);
	}
	/* One letter's case flipped: the checksum catches it. */
	strcpy(bad, good[0]);
	bad[3] = 'A';
	ck_assert_int_eq(evm_address_from_hex(bad, addr), ANCHOR_EINVAL);
	ck_assert_int_eq(
	    evm_address_from_hex("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
		addr),
	    0);
	ck_assert_int_eq(evm_address_from_hex("0x5aaeb6053f", addr),
	    ANCHOR_EINVAL);
	ck_assert_int_eq(
	    evm_address_from_hex("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00",
		addr),
	    ANCHOR_EINVAL);
}
END_TEST

START_TEST(test_eip155_example)
{
	struct evm_legacy_tx tx;
	struct evm_key	    *k = key_from(
		 "4646464646464646464646464646464646464646464646464646464646464646");
	uint8_t hash[EVM_HASH_LEN], raw[256], txh[EVM_HASH_LEN];
	size_t	len;

	memset(&tx, 0, sizeof(tx));
	tx.nonce = 9;
	tx.gas_price = 20000000000u;
	tx.gas_limit = 21000;
	memset(tx.to, 0x35, sizeof(tx.to));
	ck_assert_int_eq(anchor_hex_decode("0de0b6b3a7640000", 16,
			     tx.value + 24, 8),
	    0); /* 10^18 */
	tx.chain_id = 1;
	ck_assert_int_eq(evm_legacy_tx_signing_hash(&tx, hash), 0);
	ck_bytes_hex(hash, sizeof(hash),
	    "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
	ck_assert_int_eq(evm_legacy_tx_sign(&tx, k, raw, sizeof(raw), &len,
			     txh),
	    0);
	ck_bytes_hex(raw, len,
	    "f86c098504a817c800825208943535353535353535353535353535353535353535"
	    "880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c"
	    "71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc"
	    "64214b297fb1966a3b6d83");
	ck_assert_int_eq(evm_legacy_tx_sign(&tx, k, raw, 50, &len, txh),
	    ANCHOR_ENOSPC);
	evm_key_free(k);
}
END_TEST

struct vec1559 {
	uint64_t    nonce, value, gas, tip, max_fee;
	const char *raw;
};

/* ethereumjs eip1559.json: chain id 7822, to 0x…aaaa, empty data. */
static const struct vec1559 ejs[] = {
	{ 819, 43203529, 35552, 75853, 121212,
	    "02f870821e8e8203338301284d8301d97c828ae09400000000000000000000000"
	    "0000000000000aaaa8402933bc980c080a0d067f2167008c59219652f91cbf878"
	    "8dbca5f771f6e91e2b7657e85b78b472e0a01d305af9fe81fdba43f0dfcd400ed"
	    "24dcace0a7e30d4e85701dcaaf484cd079e" },
	{ 353, 61901619, 32593, 38850, 136295,
	    "02f86f821e8e8201618297c283021467827f5194000000000000000000000000"
	    "000000000000aaaa8403b08b3380c001a004205678f13fc1d7b10feea6513dfa76"
	    "e24418b6e08097d95c6f93a3b64e536da01d45ad61bfece43862de2cce7d2575a8"
	    "c1d08c26c87f3cb5f26d7b0be54a91b2" },
	{ 119, 65456115, 62341, 24721, 107729,
	    "02f86d821e8e778260918301a4d182f385940000000000000000000000000000"
	    "00000000aaaa8403e6c7f380c001a0e38e239770801eb995498c821e55ac9c19ae"
	    "09184bb27b34be105e02fe3b7615a067c64ca6bd6d9107e85fd581ab2e70a14b63"
	    "7eb36505bb40861ef9d6e800cab6" },
};

START_TEST(test_eip1559_vectors)
{
	struct evm_key *k = key_from(
	    "0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63");
	uint8_t	      raw[256], txh[EVM_HASH_LEN], want_hash[EVM_HASH_LEN];
	uint8_t	      addr[EVM_ADDRESS_LEN];
	char	      hex[EVM_ADDRESS_HEX_LEN];
	struct evm_tx tx;
	size_t	      i, len, j;

	evm_key_address(k, addr);
	ck_assert_int_eq(evm_address_to_hex(addr, hex, sizeof(hex)), 0);
	for (j = 2; hex[j] != '\0'; j++)
		hex[j] = (char)(hex[j] >= 'A' && hex[j] <= 'F' ? hex[j] + 32
							       : hex[j]);
	ck_assert_str_eq(hex, "0xfe3b557e8fb62b89f4916b721be55ceb828dbd73");

	for (i = 0; i < sizeof(ejs) / sizeof(ejs[0]); i++) {
		memset(&tx, 0, sizeof(tx));
		tx.chain_id = 7822;
		tx.nonce = ejs[i].nonce;
		tx.max_priority_fee_per_gas = ejs[i].tip;
		tx.max_fee_per_gas = ejs[i].max_fee;
		tx.gas_limit = ejs[i].gas;
		tx.to[18] = 0xaa;
		tx.to[19] = 0xaa;
		for (j = 0; j < 8; j++)
			tx.value[24 + j] =
			    (uint8_t)(ejs[i].value >> (8 * (7 - j)));
		ck_assert_int_eq(evm_tx_sign(&tx, k, raw, sizeof(raw), &len,
				     txh),
		    0);
		ck_bytes_hex(raw, len, ejs[i].raw);
		keccak256(raw, len, want_hash);
		ck_assert_mem_eq(txh, want_hash, sizeof(txh));
	}
	tx.max_priority_fee_per_gas = tx.max_fee_per_gas + 1;
	ck_assert_int_eq(evm_tx_sign(&tx, k, raw, sizeof(raw), &len, txh),
	    ANCHOR_EINVAL);
	evm_key_free(k);
}
END_TEST

/* Decode a signed type-2 anchor tx field by field. */
START_TEST(test_anchor_tx_roundtrip)
{
	struct evm_key *k = key_from(DEV_KEY);
	uint8_t		data[EVM_ANCHOR_DATA_LEN], root[32], root2[32];
	uint8_t raw[EVM_TX_RAW_MAX(EVM_ANCHOR_DATA_LEN)], txh[EVM_HASH_LEN];
	uint8_t digest[EVM_HASH_LEN], r[32], s[32], addr[EVM_ADDRESS_LEN];
	uint8_t signer[EVM_ADDRESS_LEN];
	struct rlp_item list, it;
	struct evm_tx	tx;
	uint64_t	v, size;
	size_t		len, off, used, field;
	int		nonce;

	for (nonce = 0; nonce < 40; nonce++) {
		memset(root, nonce, sizeof(root));
		evm_anchor_calldata_encode(root, 1000000 + (uint64_t)nonce,
		    data);
		memset(&tx, 0, sizeof(tx));
		tx.chain_id = 31337;
		tx.nonce = (uint64_t)nonce;
		tx.max_priority_fee_per_gas = 1000000000;
		tx.max_fee_per_gas = 3000000000u;
		tx.gas_limit = 30000;
		evm_key_address(k, tx.to);
		tx.data = data;
		tx.data_len = sizeof(data);
		ck_assert_int_eq(evm_tx_sign(&tx, k, raw, sizeof(raw), &len,
				     txh),
		    0);
		ck_assert_int_eq(raw[0], 0x02);
		ck_assert_int_eq(rlp_decode_item(raw + 1, len - 1, &list,
				     &used),
		    0);
		ck_assert_int_eq(list.is_list, 1);
		ck_assert_uint_eq(used, len - 1);
		for (off = 0, field = 0; off < list.len; field++, off += used) {
			ck_assert_int_eq(rlp_decode_item(list.payload + off,
					     list.len - off, &it, &used),
			    0);
			switch (field) {
			case 0:
				ck_assert_int_eq(rlp_item_uint(&it, &v), 0);
				ck_assert_uint_eq(v, 31337);
				break;
			case 1:
				ck_assert_int_eq(rlp_item_uint(&it, &v), 0);
				ck_assert_uint_eq(v, (uint64_t)nonce);
				break;
			case 6: /* value 0: the empty string */
				ck_assert_uint_eq(it.len, 0);
				break;
			case 7:
				ck_assert_int_eq(
				    evm_anchor_calldata_decode(it.payload,
					it.len, root2, &size),
				    0);
				ck_assert_mem_eq(root, root2, 32);
				ck_assert_uint_eq(size,
				    1000000 + (uint64_t)nonce);
				break;
			case 8:
				ck_assert_int_eq(it.is_list, 1);
				ck_assert_uint_eq(it.len, 0);
				break;
			case 9:
				ck_assert_int_eq(rlp_item_uint(&it, &v), 0);
				ck_assert_uint_le(v, 1);
				break;
			case 10:
			case 11: /* r, s: no leading zero byte */
				ck_assert_uint_le(it.len, 32);
				ck_assert_int_ne(it.payload[0], 0);
				memset(field == 10 ? r : s, 0, 32);
				memcpy((field == 10 ? r : s) + 32 - it.len,
				    it.payload, it.len);
				break;
			}
		}
		ck_assert_uint_eq(field, 12);
		ck_assert_int_eq(evm_tx_signing_hash(&tx, digest), 0);
		ck_assert_int_eq(evm_recover_address(digest, r, s, (int)v,
				     signer),
		    0);
		evm_key_address(k, addr);
		ck_assert_mem_eq(signer, addr, sizeof(addr));
		ck_assert_int_eq(evm_recover_address(digest, r, s, 1 - (int)v,
				     signer),
		    0);
		ck_assert_int_ne(memcmp(signer, addr, sizeof(addr)), 0);
	}
	evm_key_free(k);
}
END_TEST

START_TEST(test_sign_low_s_and_recover)
{
	struct evm_key *k = key_from(DEV_KEY);
	uint8_t		digest[32], r[32], s[32], addr[20], got[20], high[32];
	int		yp, i, j, seen[2] = { 0, 0 };
	unsigned	borrow;

	evm_key_address(k, addr);
	for (i = 0; i < 64; i++) {
		keccak256(&i, sizeof(i), digest);
		ck_assert_int_eq(evm_key_sign(k, digest, r, s, &yp), 0);
		ck_assert(s[0] < 0x80);
		seen[yp]++;
		ck_assert_int_eq(evm_recover_address(digest, r, s, yp, got), 0);
		ck_assert_mem_eq(got, addr, 20);
		/* The high-s twin n - s is refused. */
		{
			static const uint8_t n[32] = { 0xff, 0xff, 0xff, 0xff,
				0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6,
				0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c,
				0xd0, 0x36, 0x41, 0x41 };
			borrow = 0;
			for (j = 31; j >= 0; j--) {
				unsigned d = (unsigned)n[j] - s[j] - borrow;
				high[j] = (uint8_t)d;
				borrow = (d >> 8) & 1;
			}
		}
		ck_assert_int_eq(evm_recover_address(digest, r, high, 1 - yp,
				     got),
		    ANCHOR_EVERIFY);
	}
	/* Both parities occur over 64 signatures. */
	ck_assert_int_gt(seen[0], 0);
	ck_assert_int_gt(seen[1], 0);
	ck_assert_int_eq(evm_recover_address(digest, r, s, 2, got),
	    ANCHOR_EVERIFY);
	evm_key_free(k);
}
END_TEST

START_TEST(test_key_sources)
{
	char		path[] = "/tmp/test_evm_key_XXXXXX";
	struct evm_key *k;
	uint8_t		addr[20];
	char		hex[EVM_ADDRESS_HEX_LEN];
	int		fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "  " DEV_KEY "\n", strlen(DEV_KEY) + 3),
	    (ssize_t)strlen(DEV_KEY) + 3);
	close(fd);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(evm_key_from_file(path, &k), 0);
	evm_key_address(k, addr);
	evm_address_to_hex(addr, hex, sizeof(hex));
	ck_assert_str_eq(hex, DEV_ADDR);
	evm_key_free(k);
	ck_assert_int_eq(chmod(path, 0400), 0);
	ck_assert_int_eq(evm_key_from_file(path, &k), 0);
	evm_key_free(k);

	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(evm_key_from_file(path, &k), ANCHOR_EKEY);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(chmod(path, 0604), 0);
	ck_assert_int_eq(evm_key_from_file(path, &k), ANCHOR_EKEY);
	ck_assert_int_eq(chmod(path, 0620), 0);
	ck_assert_int_eq(evm_key_from_file(path, &k), ANCHOR_EKEY);
	ck_assert_int_eq(evm_key_from_file("/nonexistent/key", &k),
	    ANCHOR_EKEY);
	ck_assert_int_eq(evm_key_from_file("/tmp", &k), ANCHOR_EKEY);

	/* Malformed content. */
	ck_assert_int_eq(chmod(path, 0600), 0);
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "0xac09", 6), 6);
	close(fd);
	ck_assert_int_eq(evm_key_from_file(path, &k), ANCHOR_EKEY);
	unlink(path);

	ck_assert_int_eq(setenv("TEST_EVM_KEY", DEV_KEY, 1), 0);
	ck_assert_int_eq(evm_key_from_env("TEST_EVM_KEY", &k), 0);
	evm_key_free(k);
	unsetenv("TEST_EVM_KEY");
	ck_assert_int_eq(evm_key_from_env("TEST_EVM_KEY", &k), ANCHOR_EKEY);

	/* Zero and the group order are not secret keys. */
	ck_assert_int_eq(evm_key_from_hex("00000000000000000000000000000000"
					  "00000000000000000000000000000000",
			     64, &k),
	    ANCHOR_EKEY);
	ck_assert_int_eq(evm_key_from_hex("fffffffffffffffffffffffffffffffe"
					  "baaedce6af48a03bbfd25e8cd0364141",
			     64, &k),
	    ANCHOR_EKEY);
	ck_assert_int_eq(evm_key_from_hex("zz", 2, &k), ANCHOR_EKEY);
	ck_assert_int_eq(evm_key_from_hex(NULL, 0, &k), ANCHOR_EKEY);
}
END_TEST

START_TEST(test_anchor_calldata)
{
	uint8_t	 root[32], out[EVM_ANCHOR_DATA_LEN], r2[32];
	uint64_t size;
	size_t	 i;

	for (i = 0; i < 32; i++)
		root[i] = (uint8_t)i;
	evm_anchor_calldata_encode(root, 0x0102030405060708u, out);
	ck_bytes_hex(out, sizeof(out),
	    "6c630001000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
	    "1c1d1e1f0102030405060708");
	ck_assert_int_eq(evm_anchor_calldata_decode(out, sizeof(out), r2,
			     &size),
	    0);
	ck_assert_mem_eq(root, r2, 32);
	ck_assert_uint_eq(size, 0x0102030405060708u);
	ck_assert_int_eq(evm_anchor_calldata_decode(out, sizeof(out) - 1, r2,
			     &size),
	    ANCHOR_EINVAL);
	ck_assert_int_eq(evm_anchor_calldata_decode(NULL, 44, r2, &size),
	    ANCHOR_EINVAL);
	out[3] = 0x02; /* another version */
	ck_assert_int_eq(evm_anchor_calldata_decode(out, sizeof(out), r2,
			     &size),
	    ANCHOR_EINVAL);
}
END_TEST

static Suite *
evm_tx_suite(void)
{
	Suite *s = suite_create("evm_tx");
	TCase *tc = tcase_create("evm_tx");

	tcase_add_test(tc, test_dev_account_address);
	tcase_add_test(tc, test_eip55);
	tcase_add_test(tc, test_eip155_example);
	tcase_add_test(tc, test_eip1559_vectors);
	tcase_add_test(tc, test_anchor_tx_roundtrip);
	tcase_add_test(tc, test_sign_low_s_and_recover);
	tcase_add_test(tc, test_key_sources);
	tcase_add_test(tc, test_anchor_calldata);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(evm_tx_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
