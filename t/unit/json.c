/* json.c — unit tests for core/json.c: parsing, getters, building, dumping. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "req.h"
#include "tap.h"

static cb_req *R;
static char err[128];

static cb_json *parse(const char *text)
{
	return cb_json_parse(R, text, strlen(text), err, sizeof err);
}

/* dump of the parse of text, or NULL */
static const char *reparse(const char *text)
{
	return cb_json_dump(R, parse(text), NULL);
}

static const char *dump(const cb_json *v)
{
	return cb_json_dump(R, v, NULL);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* text of n '[' then n ']' (balanced when close) */
static char *nested(size_t n, int close)
{
	char *s = cb_alloc(R, 2 * n + 1);
	memset(s, '[', n);
	if (close)
		memset(s + n, ']', n);
	return s;
}

static void test_round_trip(void)
{
	const char *doc =
	    " {\n\t\"name\": \"Ada\", \"age\": 36, \"ratio\": 0.25, \"tags\": [\"a\", "
	    "\"b\", []],\n \"nested\": {\"deep\": {\"x\": null, \"t\": true, \"f\": "
	    "false}}, \"empty\": {}, \"neg\": -7, \"exp\": 1.5e3, \"uni\": \"caf\\u00e9 "
	    "\\ud83d\\ude00\", \"esc\": \"a\\/b\\\"c\\\\d\\n\" } \n";
	const char *want = "{\"name\":\"Ada\",\"age\":36,\"ratio\":0.25,\"tags\":[\"a\",\"b\",[]],"
	                   "\"nested\":{\"deep\":{\"x\":null,\"t\":true,\"f\":false}},\"empty\":{},"
	                   "\"neg\":-7,\"exp\":1500,\"uni\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\","
	                   "\"esc\":\"a/b\\\"c\\\\d\\n\"}";
	cb_json *v = parse(doc);
	ok(v != NULL, "parse accepts a complex document with surrounding whitespace");
	is_str(err, "", "parse leaves err empty on success");
	size_t len = 0;
	const char *out = cb_json_dump(R, v, &len);
	is_str(out, want, "dump writes the document back compactly, in insertion order");
	is_int(len, strlen(want), "dump stores the output length");
	is_str(reparse(out), want, "dump output parses back to the same document");
	is_str(cb_json_get_str(cb_json_get(v, "uni"), NULL), NULL,
	       "get_str on a string node answers NULL");
	is_str(cb_json_get_str(v, "uni"), "caf\xc3\xa9 \xf0\x9f\x98\x80",
	       "parse decodes \\u escapes and surrogate pairs to UTF-8");
	is_str(cb_json_str(cb_json_at(cb_json_get(v, "tags"), 1)), "b", "at indexes arrays");
	is_str(cb_json_key_at(v, 2), "ratio", "key_at gives keys in document order");
	is_int(cb_json_len(v), 10, "len counts object members");
	is_int(cb_json_type(cb_json_get(cb_json_get(cb_json_get(v, "nested"), "deep"), "x")),
	       CB_JSON_NULL, "chained gets reach a nested null");
	is_str(cb_json_get_str(cb_json_get(cb_json_get(v, "missing"), "deeper"), "x"), NULL,
	       "chained gets through an absent member answer NULL");

	const char *scalars[][2] = {{"true", "true"},   {"false", "false"}, {"null", "null"},
	                            {"\"s\"", "\"s\""}, {" 42 ", "42"},     {"[]", "[]"},
	                            {"{}", "{}"},       {"-0.5", "-0.5"},   {"[[{}]]", "[[{}]]"},
	                            {"\"\"", "\"\""}};
	for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++)
		is_str(reparse(scalars[i][0]), scalars[i][1], "top-level %s round-trips",
		       scalars[i][0]);
}

static void test_escapes(void)
{
	static const struct {
		const char *in, *want, *name;
	} cases[] = {
	    {"\"", "\"\\\"\"", "dump escapes a double quote as \\\""},
	    {"\\", "\"\\\\\"", "dump escapes a backslash as \\\\"},
	    {"\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"",
	     "dump uses short escapes for \\n \\r \\t \\b \\f"},
	    {"\x01\x1f", "\"\\u0001\\u001f\"", "dump escapes other control characters as \\u00XX"},
	    {"</script><script>", "\"\\u003c/script\\u003e\\u003cscript\\u003e\"",
	     "dump escapes < and > so </script> cannot close a script element"},
	    {"a&b", "\"a\\u0026b\"", "dump escapes & as \\u0026"},
	    {"x\xe2\x80\xa8y\xe2\x80\xa9z", "\"x\\u2028y\\u2029z\"",
	     "dump escapes U+2028 and U+2029 line separators"},
	    {"\xe2\x80\xa7\xe2\x80\xaa", "\"\xe2\x80\xa7\xe2\x80\xaa\"",
	     "dump copies the neighbours of U+2028/U+2029 unchanged"},
	    {"caf\xc3\xa9 \xf0\x9f\x98\x80 /'\x7f", "\"caf\xc3\xa9 \xf0\x9f\x98\x80 /'\x7f\"",
	     "dump copies valid UTF-8, slash, quote and DEL unchanged"},
	    {"a\xff"
	     "b\xc0\x80",
	     "\"a\\ufffdb\\ufffd\\ufffd\"",
	     "dump writes invalid UTF-8 bytes in hand-built strings as \\ufffd"},
	    {"\xe2\x80", "\"\\ufffd\\ufffd\"", "dump replaces a truncated UTF-8 sequence"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *got = dump(cb_json_new_str(R, cases[i].in));
		is_str(got, cases[i].want, "%s", cases[i].name);
		if (!strstr(cases[i].name, "invalid") && !strstr(cases[i].name, "truncated"))
			is_str(cb_json_str(parse(got)), cases[i].in, "%s: parses back to the input",
			       cases[i].name);
	}
	is_str(dump(cb_json_new_strn(R, "a\0b", 3)), "\"a\\u0000b\"",
	       "dump escapes a NUL byte in a counted string as \\u0000");
	is_int(cb_json_strlen(cb_json_new_strn(R, "a\0b", 3)), 3,
	       "new_strn keeps exactly n bytes, NUL included");

	cb_json *o = cb_json_new_object(R);
	cb_json_set_int(o, "<k\"\n>", 1);
	is_str(dump(o), "{\"\\u003ck\\\"\\n\\u003e\":1}", "dump escapes object keys the same way");

	is_str(cb_json_str(parse("\"\\u003c\\u2028\\/\\b\\f\\n\\r\\t\"")),
	       "<\xe2\x80\xa8/\b\f\n\r\t", "parse decodes every escape form");
	is_str(reparse("\"\xe2\x80\xa8<\""), "\"\\u2028\\u003c\"",
	       "a raw U+2028 and < in parsed input come out escaped");
}

static void refused(const char *text, size_t len, const char *want_err, const char *name)
{
	strcpy(err, "(unset)");
	cb_json *v = cb_json_parse(R, text, len, err, sizeof err);
	ok(v == NULL, "parse refuses %s", name);
	if (want_err)
		is_str(err, want_err, "parse says why it refuses %s", name);
	else
		ok(err[0] && strcmp(err, "(unset)") != 0,
		   "parse gives a reason for refusing %s (%s)", name, err);
}

static void test_refusals(void)
{
	static const struct {
		const char *text, *err, *name;
	} cases[] = {
	    {"/* c */ 1", "invalid JSON at byte 0", "a block comment"},
	    {"[1] // c", NULL, "a line comment after the value"},
	    {"[1, /* c */ 2]", NULL, "a comment inside an array"},
	    {"{} x", NULL, "trailing garbage"},
	    {"1 2", NULL, "two top-level values"},
	    {"{}{}", NULL, "two top-level objects"},
	    {"[1,]", NULL, "a trailing comma"},
	    {"{\"a\"}", NULL, "a member without a value"},
	    {"{a:1}", NULL, "an unquoted key"},
	    {"'a'", NULL, "single quotes"},
	    {"01", NULL, "a leading zero"},
	    {"1.", NULL, "a number ending in a dot"},
	    {"NaN", NULL, "NaN"},
	    {"[1", NULL, "an unclosed array"},
	    {"\"abc", NULL, "an unterminated string"},
	    {"\"a\tb\"", NULL, "a raw tab in a string"},
	    {"\"\\x\"", NULL, "an unknown escape"},
	    {"\"\\u12\"", NULL, "a short \\u escape"},
	    {"tru", NULL, "a truncated literal"},
	    {"   ", NULL, "whitespace only"},
	    {"\"\\u0000\"", "string contains a NUL character", "\\u0000 in a string"},
	    {"{\"a\\u0000b\":1}", "string contains a NUL character", "\\u0000 in a key"},
	    {"\"\xff\"", NULL, "a 0xFF byte"},
	    {"\"\xc3\"", NULL, "a truncated UTF-8 sequence"},
	    {"\"\xc0\x80\"", "string is not valid UTF-8", "an overlong NUL (C0 80)"},
	    {"\"\xe0\x80\xaf\"", "string is not valid UTF-8", "an overlong three-byte sequence"},
	    {"\"\xed\xa0\x80\"", "string is not valid UTF-8", "a UTF-8 encoded surrogate"},
	    {"\"\xf4\x90\x80\x80\"", "string is not valid UTF-8", "a code point above U+10FFFF"},
	    {"{\"\xc0\xaf\":1}", "string is not valid UTF-8", "invalid UTF-8 in a key"},
	    {"\"\\ud800\"", "unpaired UTF-16 surrogate escape", "a lone high surrogate escape"},
	    {"\"\\ud800x\"", "unpaired UTF-16 surrogate escape",
	     "a high surrogate escape followed by a letter"},
	    {"\"\\ud800\\u0041\"", "unpaired UTF-16 surrogate escape",
	     "a high surrogate escape followed by a non-surrogate escape"},
	    {"\"\\ud800\\ud800\"", "unpaired UTF-16 surrogate escape",
	     "two high surrogate escapes"},
	    {"\"\\udc00\"", NULL, "a lone low surrogate escape"},
	    {"1e400", "number out of range", "a number too large for a double"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		refused(cases[i].text, strlen(cases[i].text), cases[i].err, cases[i].name);
	refused("", 0, "empty JSON text", "empty input");
	refused(NULL, 0, "empty JSON text", "a NULL text");
	refused("[1]\0", 4, NULL, "a NUL byte after the value");
	refused("\"a\0b\"", 5, NULL, "a raw NUL byte inside a string");

	ok(cb_json_parse(R, "[1]", 3, NULL, 0) != NULL, "parse accepts a NULL err buffer");
	ok(cb_json_parse(R, "[", 1, NULL, 0) == NULL, "parse refuses without an err buffer");
	char small[8];
	cb_json_parse(R, "\"\\u0000\"", 8, small, sizeof small);
	is_str(small, "string ", "parse truncates the reason to errlen - 1 bytes");
	ok(cb_json_parse(NULL, "1", 1, err, sizeof err) == NULL, "parse refuses a NULL request");
	ok(cb_json_parse(R, "[1,2]x", 5, err, sizeof err) != NULL,
	   "parse reads only len bytes of the text");

	const char *secret = "{\"password\": \"hunter2\" oops}";
	parse(secret);
	ok(err[0] && !strstr(err, "hunter2") && !strstr(err, "oops"),
	   "the reason never quotes the input (%s)", err);
	is_str(cb_json_str(parse("\"\\ud83d\\ude00\"")), "\xf0\x9f\x98\x80",
	       "a proper surrogate pair is accepted");
	is_str(cb_json_str(parse("\"\\\\ud800\"")), "\\ud800",
	       "an escaped backslash before ud800 is not taken for a surrogate");
	is_str(cb_json_str(parse("\"\xf4\x8f\xbf\xbf\"")), "\xf4\x8f\xbf\xbf",
	       "U+10FFFF, the highest code point, is accepted");
}

static void test_depth(void)
{
	char *s = nested(CB_JSON_MAX_DEPTH, 1);
	cb_json *v = parse(s);
	ok(v != NULL, "parse accepts arrays nested 64 deep");
	is_str(dump(v), s, "dump writes 64 nested arrays back");
	refused(nested(CB_JSON_MAX_DEPTH + 1, 1), 2 * (CB_JSON_MAX_DEPTH + 1),
	        "nested deeper than 64 levels", "arrays nested 65 deep");

	char obj[64 * 6 + 64 + 1];
	size_t n = 0;
	for (int i = 0; i < 65; i++)
		n += (size_t)sprintf(obj + n, "{\"a\":");
	strcpy(obj + n, "1");
	n++;
	refused(obj, n, "nested deeper than 64 levels", "objects nested 65 deep");
	n = 0;
	for (int i = 0; i < 63; i++)
		n += (size_t)sprintf(obj + n, "{\"a\":");
	n += (size_t)sprintf(obj + n, "[1]");
	for (int i = 0; i < 63; i++)
		obj[n++] = '}';
	ok(cb_json_parse(R, obj, n, err, sizeof err) != NULL,
	   "parse accepts 63 objects around an array (64 levels)");

	size_t big = 100000;
	char *deep = nested(big, 0);
	double t0 = now();
	refused(deep, big, "nested deeper than 64 levels", "100000 nested '['");
	ok(now() - t0 < 0.5, "parse refuses 100000 nested '[' quickly (%.4fs)", now() - t0);
}

static void test_getters(void)
{
	cb_json *v = parse("{\"s\":\"str\",\"n\":1.5,\"i\":7,\"b\":true,\"z\":null,\"a\":[1],"
	                   "\"o\":{\"k\":1}}");
	double d = -1;
	long long i = -1;
	int b = -1;
	is_int(cb_json_type(NULL), CB_JSON_NONE, "type of NULL is NONE");
	is_int(cb_json_type(cb_json_get(v, "o")), CB_JSON_OBJECT, "type of an object");
	is_int(cb_json_type(cb_json_get(v, "a")), CB_JSON_ARRAY, "type of an array");
	is_int(cb_json_type(cb_json_get(v, "s")), CB_JSON_STRING, "type of a string");
	is_int(cb_json_type(cb_json_get(v, "n")), CB_JSON_NUMBER, "type of a number");
	is_int(cb_json_type(cb_json_get(v, "b")), CB_JSON_BOOL, "type of a boolean");
	is_int(cb_json_type(cb_json_get(v, "z")), CB_JSON_NULL, "type of null");

	ok(cb_json_get(NULL, "s") == NULL, "get on NULL answers NULL");
	ok(cb_json_get(v, NULL) == NULL, "get with a NULL key answers NULL");
	ok(cb_json_get(cb_json_get(v, "a"), "s") == NULL, "get on an array answers NULL");
	ok(cb_json_get(cb_json_get(v, "s"), "s") == NULL, "get on a string answers NULL");
	ok(cb_json_get(v, "S") == NULL, "get is case-sensitive");
	ok(cb_json_get(v, "") == NULL, "get of a missing empty key answers NULL");
	ok(cb_json_str(NULL) == NULL, "str of NULL answers NULL");
	ok(cb_json_str(cb_json_get(v, "n")) == NULL, "str of a number answers NULL");
	ok(cb_json_str(cb_json_get(v, "z")) == NULL, "str of null answers NULL");
	is_int(cb_json_strlen(cb_json_get(v, "s")), 3, "strlen of a string");
	is_int(cb_json_strlen(cb_json_get(v, "a")), 0, "strlen of an array is 0");
	is_int(cb_json_strlen(NULL), 0, "strlen of NULL is 0");

	is_int(cb_json_num(cb_json_get(v, "s"), &d), CB_EINVAL, "num of a string is EINVAL");
	ok(d == -1, "num leaves out alone on failure");
	is_int(cb_json_num(NULL, &d), CB_EINVAL, "num of NULL is EINVAL");
	is_int(cb_json_num(cb_json_get(v, "n"), NULL), CB_OK, "num accepts a NULL out");
	is_int(cb_json_int(cb_json_get(v, "b"), &i), CB_EINVAL, "int of a boolean is EINVAL");
	is_int(cb_json_int(NULL, &i), CB_EINVAL, "int of NULL is EINVAL");
	is_int(i, -1, "int leaves out alone on failure");
	is_int(cb_json_bool(cb_json_get(v, "i"), &b), CB_EINVAL, "bool of a number is EINVAL");
	is_int(cb_json_bool(cb_json_get(v, "z"), &b), CB_EINVAL, "bool of null is EINVAL");
	is_int(cb_json_bool(NULL, &b), CB_EINVAL, "bool of NULL is EINVAL");
	is_int(b, -1, "bool leaves out alone on failure");
	ok(cb_json_bool(cb_json_get(v, "b"), &b) == CB_OK && b == 1, "bool of true is 1");
	ok(cb_json_bool(parse("false"), &b) == CB_OK && b == 0, "bool of false is 0");

	is_int(cb_json_len(NULL), 0, "len of NULL is 0");
	is_int(cb_json_len(cb_json_get(v, "s")), 0, "len of a string is 0");
	is_int(cb_json_len(cb_json_get(v, "a")), 1, "len of an array counts elements");
	ok(cb_json_at(NULL, 0) == NULL, "at on NULL answers NULL");
	ok(cb_json_at(cb_json_get(v, "a"), 1) == NULL, "at past the end answers NULL");
	ok(cb_json_at(cb_json_get(v, "s"), 0) == NULL, "at on a string answers NULL");
	ok(cb_json_at(v, 1) == cb_json_get(v, "n"), "at on an object gives member values");
	ok(cb_json_key_at(v, 7) == NULL, "key_at past the end answers NULL");
	ok(cb_json_key_at(cb_json_get(v, "a"), 0) == NULL, "key_at on an array answers NULL");
	ok(cb_json_key_at(NULL, 0) == NULL, "key_at on NULL answers NULL");
	ok(cb_json_get_str(NULL, "s") == NULL, "get_str on NULL answers NULL");
	ok(cb_json_get_str(v, "i") == NULL, "get_str of a number member answers NULL");
	is_str(cb_json_get_str(v, "s"), "str", "get_str of a string member");
}

static void test_numbers(void)
{
	long long i = 0;
	double d = 0;
	ok(cb_json_int(parse("42"), &i) == CB_OK && i == 42, "int of a parsed integer");
	ok(cb_json_int(parse("1.0"), &i) == CB_OK && i == 1, "int of a parsed 1.0 is 1");
	ok(cb_json_int(parse("-2e2"), &i) == CB_OK && i == -200, "int of a parsed -2e2 is -200");
	i = 5;
	is_int(cb_json_int(parse("1.5"), &i), CB_EINVAL, "int of 1.5 is EINVAL");
	is_int(i, 5, "int of 1.5 leaves out alone");
	is_int(cb_json_int(parse("1e30"), &i), CB_EINVAL, "int of 1e30 is EINVAL");
	is_int(cb_json_int(parse("-1e30"), &i), CB_EINVAL, "int of -1e30 is EINVAL");
	ok(cb_json_num(parse("1.5"), &d) == CB_OK && d == 1.5, "num of 1.5");
	ok(cb_json_num(parse("7"), &d) == CB_OK && d == 7.0, "num of an integer");
	ok(cb_json_num(parse("1e-400"), &d) == CB_OK && d == 0.0,
	   "a number too small for a double underflows to 0");

	ok(cb_json_int(parse("9223372036854775807"), &i) == CB_OK && i == 9223372036854775807LL,
	   "int of LLONG_MAX is exact");
	ok(cb_json_int(parse("-9223372036854775808"), &i) == CB_OK &&
	       i == -9223372036854775807LL - 1,
	   "int of LLONG_MIN is exact");
	is_str(reparse("9223372036854775807"), "9223372036854775807",
	       "LLONG_MAX dumps as an exact integer");
	is_str(reparse("[-9007199254740993]"), "[-9007199254740993]",
	       "an integer beyond 2^53 keeps every digit");
	cb_json *big = parse("9223372036854775808");
	ok(big != NULL, "an integer literal above LLONG_MAX still parses");
	is_int(cb_json_int(big, &i), CB_EINVAL, "int of LLONG_MAX+1 is EINVAL");
	ok(cb_json_num(big, &d) == CB_OK && d == 9223372036854775808.0,
	   "num of LLONG_MAX+1 is the nearest double");
	ok(cb_json_num(parse("123456789012345678901234567890"), &d) == CB_OK &&
	       d == 1.2345678901234568e29,
	   "a 30-digit integer parses as a double");
	char longnum[400];
	memset(longnum, '9', 300);
	strcpy(longnum + 300, ".5");
	ok(cb_json_num(parse(longnum), &d) == CB_OK && d > 9e299, "a 300-digit number parses");

	is_str(reparse("[0.1,-0.5,1.5e300,2.5e-300,100,1e2,-0]"),
	       "[0.1,-0.5,1.5e+300,2.5e-300,100,100,0]",
	       "dump writes doubles with the fewest digits that round-trip");
	double vals[] = {0.1, 1.0 / 3, 2.0 / 3, 1e-7, 123456.789, 5e-324, 1.7976931348623157e308};
	for (size_t k = 0; k < sizeof vals / sizeof *vals; k++) {
		d = 0;
		cb_json_num(parse(dump(cb_json_new_num(R, vals[k]))), &d);
		ok(d == vals[k], "%.17g survives dump and parse exactly", vals[k]);
	}
	is_str(dump(cb_json_new_num(R, NAN)), "null", "dump writes NaN as null");
	is_str(dump(cb_json_new_num(R, INFINITY)), "null", "dump writes infinity as null");
	is_str(dump(cb_json_new_num(R, -INFINITY)), "null", "dump writes -infinity as null");
	is_int(cb_json_int(cb_json_new_num(R, NAN), &i), CB_EINVAL, "int of NaN is EINVAL");
	is_int(cb_json_int(cb_json_new_num(R, 9223372036854775808.0), &i), CB_EINVAL,
	       "int of 2^63 as a double is EINVAL");
	ok(cb_json_int(cb_json_new_num(R, -9223372036854775808.0), &i) == CB_OK &&
	       i == -9223372036854775807LL - 1,
	   "int of -2^63 as a double is LLONG_MIN");
	ok(cb_json_int(cb_json_new_num(R, 3.0), &i) == CB_OK && i == 3,
	   "int of a built double 3.0 is 3");
	is_str(dump(cb_json_new_int(R, -9223372036854775807LL - 1)), "-9223372036854775808",
	       "dump writes LLONG_MIN exactly");
	ok(cb_json_num(cb_json_new_int(R, 5), &d) == CB_OK && d == 5.0, "num of a built integer");
}

static void test_building(void)
{
	cb_json *o = cb_json_new_object(R);
	is_int(cb_json_set_str(o, "a", "x"), CB_OK, "set_str on an object is OK");
	cb_json_set_int(o, "b", 2);
	cb_json_set_num(o, "c", 2.5);
	cb_json_set_bool(o, "d", 7);
	cb_json_set_null(o, "e");
	cb_json_set_str(o, "f", NULL);
	is_str(dump(o), "{\"a\":\"x\",\"b\":2,\"c\":2.5,\"d\":true,\"e\":null,\"f\":null}",
	       "setters append members in order; set_str NULL stores null; bools are 0/1");

	is_int(cb_json_set_int(o, "a", 9), CB_OK, "set of an existing key is OK");
	is_str(dump(o), "{\"a\":9,\"b\":2,\"c\":2.5,\"d\":true,\"e\":null,\"f\":null}",
	       "set replaces an existing member in place, keeping its position");
	is_int(cb_json_len(o), 6, "replacing does not add a member");

	is_int(cb_json_del(o, "c"), CB_OK, "del of a present key is OK");
	is_str(dump(o), "{\"a\":9,\"b\":2,\"d\":true,\"e\":null,\"f\":null}",
	       "del removes the member and keeps the others in order");
	is_int(cb_json_del(o, "c"), CB_ENOTFOUND, "del of an absent key is ENOTFOUND");
	is_int(cb_json_del(o, "f"), CB_OK, "del of the last member is OK");
	is_int(cb_json_del(o, "a"), CB_OK, "del of the first member is OK");
	is_str(dump(o), "{\"b\":2,\"d\":true,\"e\":null}", "del at both ends keeps the rest");
	is_int(cb_json_del(NULL, "a"), CB_ENOTFOUND, "del on NULL is ENOTFOUND");
	is_int(cb_json_del(o, NULL), CB_ENOTFOUND, "del of a NULL key is ENOTFOUND");
	is_int(cb_json_del(cb_json_new_array(R), "a"), CB_ENOTFOUND,
	       "del on an array is ENOTFOUND");
	cb_json_set_int(o, "a", 1);
	is_str(cb_json_key_at(o, 3), "a", "set after del appends at the end");

	char key[8] = "k";
	cb_json_set_int(o, key, 1);
	key[0] = 'X';
	ok(cb_json_get(o, "k") != NULL && cb_json_get(o, "X") == NULL, "set copies the key");
	char s[4] = "abc";
	cb_json *sv = cb_json_new_str(R, s);
	s[0] = 'X';
	is_str(cb_json_str(sv), "abc", "new_str copies the string");
	is_int(cb_json_type(cb_json_new_str(R, NULL)), CB_JSON_NULL, "new_str of NULL is null");

	cb_json *arr = cb_json_new_array(R);
	is_int(cb_json_set_int(arr, "a", 1), CB_EINVAL, "set_int on an array is EINVAL");
	is_int(cb_json_set(arr, "a", cb_json_new_null(R)), CB_EINVAL, "set on an array is EINVAL");
	is_int(cb_json_set(o, "a", NULL), CB_EINVAL, "set of a NULL value is EINVAL");
	is_int(cb_json_set(o, NULL, cb_json_new_null(R)), CB_EINVAL, "set of a NULL key is EINVAL");
	is_int(cb_json_set(NULL, "a", cb_json_new_null(R)), CB_EINVAL, "set on NULL is EINVAL");
	is_int(cb_json_set_str(NULL, "a", "x"), CB_EINVAL, "set_str on NULL is EINVAL");
	is_int(cb_json_set_num(cb_json_new_str(R, "s"), "a", 1), CB_EINVAL,
	       "set_num on a string is EINVAL");
	is_int(cb_json_set_bool(NULL, "a", 1), CB_EINVAL, "set_bool on NULL is EINVAL");
	is_int(cb_json_set_null(NULL, "a"), CB_EINVAL, "set_null on NULL is EINVAL");

	is_int(cb_json_push(arr, cb_json_new_int(R, 1)), CB_OK, "push onto an array is OK");
	cb_json_push(arr, cb_json_new_str(R, "two"));
	cb_json_push(arr, o);
	is_int(cb_json_push(arr, NULL), CB_EINVAL, "push of NULL is EINVAL");
	is_int(cb_json_push(o, cb_json_new_null(R)), CB_EINVAL, "push onto an object is EINVAL");
	is_int(cb_json_push(NULL, cb_json_new_null(R)), CB_EINVAL, "push onto NULL is EINVAL");
	is_int(cb_json_len(arr), 3, "push appends");
	is_str(dump(arr), "[1,\"two\",{\"b\":2,\"d\":true,\"e\":null,\"a\":1,\"k\":1}]",
	       "push keeps order and nests objects");

	cb_json *parsed = parse("{\"x\":[1]}");
	cb_json_set_str(parsed, "y", "new");
	cb_json_push(cb_json_get(parsed, "x"), cb_json_new_bool(R, 0));
	is_str(dump(parsed), "{\"x\":[1,false],\"y\":\"new\"}",
	       "parsed documents can be extended with set and push");

	cb_json *many = cb_json_new_array(R);
	for (int k = 0; k < 10000; k++)
		cb_json_push(many, cb_json_new_int(R, k));
	long long last = 0;
	ok(cb_json_len(many) == 10000 && cb_json_int(cb_json_at(many, 9999), &last) == CB_OK &&
	       last == 9999,
	   "push grows an array to 10000 elements");
	cb_json *wide = cb_json_new_object(R);
	for (int k = 0; k < 2000; k++) {
		char name[16];
		snprintf(name, sizeof name, "k%d", k);
		cb_json_set_int(wide, name, k);
	}
	ok(cb_json_len(wide) == 2000 && strcmp(cb_json_key_at(wide, 1999), "k1999") == 0,
	   "set grows an object to 2000 members in order");

	ok(cb_json_dump(R, NULL, NULL) == NULL, "dump of NULL is NULL");
	size_t len = 99;
	cb_json_dump(R, NULL, &len);
	is_int(len, 0, "dump of NULL stores length 0");
	is_str(cb_json_dump(NULL, cb_json_new_int(R, 3), NULL), "3",
	       "dump with a NULL request uses the node's request");
	is_int(cb_json_type(cb_json_new_object(NULL)), CB_JSON_NONE,
	       "constructors without a request answer NULL");
}

static void test_duplicates(void)
{
	cb_json *v = parse("{\"a\":1,\"b\":2,\"a\":3}");
	is_str(dump(v), "{\"a\":3,\"b\":2}",
	       "a duplicate key: the last value wins, at the first one's position");
	is_int(cb_json_len(v), 2, "a duplicate key is counted once");
	is_str(reparse("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,"
	               "\"b\":20,\"j\":10,\"b\":200,\"a\":100}"),
	       "{\"a\":100,\"b\":200,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":"
	       "10}",
	       "duplicates in a large object: last wins, first position kept");
	is_str(reparse("{\"x\":{\"a\":1,\"a\":{\"a\":2,\"a\":3}},\"x\":[]}"), "{\"x\":[]}",
	       "duplicates are resolved at every level");
	is_str(reparse("{\"\":1,\"\":2}"), "{\"\":2}", "an empty key can be duplicated too");
	is_str(reparse("{\"ab\":1,\"a\":2,\"abc\":3}"), "{\"ab\":1,\"a\":2,\"abc\":3}",
	       "keys that are prefixes of each other stay distinct");

	/* 50000 distinct members and 50000 copies of one member, both in bounded time */
	size_t n = 50000, cap = n * 20 + 16, k = 0;
	char *s = cb_alloc(R, cap), *t = cb_alloc(R, cap);
	size_t m = 0;
	s[k++] = '{';
	t[m++] = '{';
	for (size_t i = 0; i < n; i++) {
		k += (size_t)snprintf(s + k, cap - k, "%s\"key%zu\":%zu", i ? "," : "", i, i);
		m += (size_t)snprintf(t + m, cap - m, "%s\"same\":%zu", i ? "," : "", i);
	}
	s[k++] = '}';
	t[m++] = '}';
	double t0 = now();
	cb_json *wide = cb_json_parse(R, s, k, err, sizeof err);
	cb_json *dup = cb_json_parse(R, t, m, err, sizeof err);
	double took = now() - t0;
	is_int(cb_json_len(wide), n, "parse keeps 50000 distinct members");
	is_str(cb_json_key_at(wide, 49999), "key49999", "and keeps them in order");
	long long last = 0;
	ok(cb_json_len(dup) == 1 && cb_json_int(cb_json_get(dup, "same"), &last) == CB_OK &&
	       last == 49999,
	   "50000 copies of one key collapse to the last value");
	ok(took < 2.0, "both parse in well under quadratic time (%.3fs)", took);
}

static void test_dump_depth(void)
{
	cb_json *root = cb_json_new_array(R), *a = root;
	for (int i = 1; i < 300; i++) {
		cb_json *next = cb_json_new_array(R);
		cb_json_push(a, next);
		a = next;
	}
	const char *out = dump(root);
	size_t opens = strspn(out, "[");
	is_int(opens, 256, "dump writes at most 256 nested levels");
	ok(strncmp(out + opens, "null]", 5) == 0, "dump writes null in place of deeper values");
	ok(parse(out) == NULL, "and that output is still refused by parse as too deep");

	cb_json *self = cb_json_new_array(R);
	cb_json_push(self, cb_json_new_int(R, 1));
	cb_json_push(self, self);
	out = dump(self);
	ok(out && strlen(out) < 2000, "dump of an array containing itself terminates");
}

int main(void)
{
	R = req_new();
	test_round_trip();
	test_escapes();
	test_refusals();
	test_depth();
	test_getters();
	test_numbers();
	test_building();
	test_duplicates();
	test_dump_depth();
	req_free(R);
	return done_testing();
}
