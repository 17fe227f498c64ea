// deps: src/base/util.c
/* test_util.c - unit tests for base/util.
 *
 * The tables below were produced by asking redis-server 7.0.15 (Debian) directly: INCRBY
 * (string2ll), XADD sequence numbers (string2ull), ZADD + ZSCORE on a skiplist-encoded
 * zset (string2d + RESP2 "%.17g"), INCRBYFLOAT (string2ld + ld2string human), CONFIG SET
 * maxmemory + CONFIG GET (memtoull), KEYS (stringmatchlen) and COMMAND LIST FILTERBY
 * PATTERN (stringmatchlen with nocase). Randomized checks then compare the iterative
 * glob matcher with a plain backtracking one written here from the same rules.
 */
#include "base/util.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

/* A literal with its length, so cases may hold NUL bytes. */
#define S(lit) lit, sizeof(lit) - 1

#define Z10 "0000000000"
#define ZEROS126 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 "000000"
#define ZEROS127 ZEROS126 "0"
#define ZEROS128 ZEROS127 "0"

/* INCRBYFLOAT parsed the input but replied "increment would produce NaN or Infinity". */
static const char LD_INF[] = "<inf>";

/* Printable form of arbitrary bytes for failure messages. */
static const char *show(const char *s, size_t len)
{
    static char buf[4][256];
    static int slot;
    char *out = buf[slot++ & 3];
    size_t o = 0;

    for (size_t i = 0; i < len && o + 5 < sizeof(buf[0]); i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 32 && c < 127 && c != '\\') {
            out[o++] = (char)c;
        } else {
            o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
        }
    }
    out[o] = '\0';
    return out;
}

/* {input, INCRBY reply (NULL: error), XADD 1-<input> sequence (NULL: invalid ID)} */
struct int_case {
    const char *s;
    size_t len;
    const char *ll;
    const char *ull;
};

/* {CONFIG SET maxmemory value, CONFIG GET result (NULL: error)} */
struct mem_case {
    const char *s;
    const char *val;
};

/* {input, ZSCORE after ZADD (NULL: not a valid float), INCRBYFLOAT on a missing key
 * (NULL: not a valid float, LD_INF: NaN or Infinity)} */
struct dbl_case {
    const char *s;
    size_t len;
    const char *zscore;
    const char *incr;
};

/* {SET k a; INCRBYFLOAT k b -> reply} */
struct sum_case {
    const char *a;
    const char *b;
    const char *result;
};

/* {pattern, string, nocase, KEYS / COMMAND LIST says it matches} */
struct glob_case {
    const char *pat;
    size_t patlen;
    const char *s;
    size_t slen;
    bool nocase;
    bool match;
};

static const struct int_case int_cases[] = {
    {S("0"), "0", "0"},
    {S("1"), "1", "1"},
    {S("-1"), "-1", NULL},
    {S("007"), NULL, "7"},
    {S("+1"), NULL, "1"},
    {S(" 1"), NULL, "1"},
    {S("1 "), NULL, NULL},
    {S("-0"), NULL, "0"},
    {S("-"), NULL, NULL},
    {S(""), NULL, NULL},
    {S("00"), NULL, "0"},
    {S("-01"), NULL, "18446744073709551615"},
    {S("12a"), NULL, NULL},
    {S("1\x00"), NULL, "1"},
    {S("1\x00\x32"), NULL, "1"},
    {S("9223372036854775807"), "9223372036854775807", "9223372036854775807"},
    {S("9223372036854775808"), NULL, "9223372036854775808"},
    {S("-9223372036854775808"), "-9223372036854775808", NULL},
    {S("-9223372036854775809"), NULL, "9223372036854775807"},
    {S("18446744073709551615"), NULL, "18446744073709551615"},
    {S("18446744073709551616"), NULL, NULL},
    {S("99999999999999999999999"), NULL, NULL},
    {S("\x09\x35"), NULL, "5"},
    {S(" +5"), NULL, "5"},
    {S(" -1"), NULL, "18446744073709551615"},
    {S("-18446744073709551615"), NULL, "1"},
    {S("-9223372036854775809"), NULL, "9223372036854775807"},
    {S("+"), NULL, NULL},
    {S("+-5"), NULL, NULL},
    {S("0x5"), NULL, NULL},
    {S("00000000000000000000000000000000000000007"), NULL, "7"},
    {S("-5"), "-5", NULL},
    {S("5 "), NULL, NULL},
};
static const struct mem_case mem_cases[] = {
    {"1Kb", "1024"},
    {"1K", "1000"},
    {"1k", "1000"},
    {"1kb", "1024"},
    {"1KB", "1024"},
    {"1kB", "1024"},
    {"1m", "1000000"},
    {"1mb", "1048576"},
    {"1MB", "1048576"},
    {"1Mb", "1048576"},
    {"1g", "1000000000"},
    {"1gb", "1073741824"},
    {"1G", "1000000000"},
    {"1GB", "1073741824"},
    {"1b", "1"},
    {"1B", "1"},
    {"100", "100"},
    {"0", "0"},
    {"007", "7"},
    {"-1", NULL},
    {"-0", NULL},
    {"-1kb", NULL},
    {"", "0"},
    {"kb", "0"},
    {"k", "0"},
    {"1 kb", NULL},
    {" 1", NULL},
    {"1 ", NULL},
    {"+1", NULL},
    {"1t", NULL},
    {"1tb", NULL},
    {"1kib", NULL},
    {"1.5gb", NULL},
    {"0x10", NULL},
    {"1e3", NULL},
    {"1bb", NULL},
    {"18446744073709551615", "18446744073709551615"},
    {"18446744073709551616", "18446744073709551615"},
    {"99999999999999999999999", "18446744073709551615"},
    {"99999999999999999999999kb", "18446744073709550592"},
    {"17179869184gb", "0"},
    {"17179869183gb", "18446744072635809792"},
    {"18446744073709551615k", "18446744073709550616"},
    {ZEROS127, "0"},
    {ZEROS128, NULL},
    {ZEROS126 "1kb", "1024"},
    {ZEROS127 "1", NULL},
};
static const struct dbl_case dbl_cases[] = {
    {S("1.5"), "1.5", "1.5"},
    {S("10.50"), "10.5", "10.5"},
    {S("5.0e3"), "5000", "5000"},
    {S("1e5"), "100000", "100000"},
    {S("inf"), "inf", LD_INF},
    {S("+inf"), "inf", LD_INF},
    {S("-inf"), "-inf", LD_INF},
    {S("INF"), "inf", LD_INF},
    {S("Infinity"), "inf", LD_INF},
    {S("-infinity"), "-inf", LD_INF},
    {S("infinit"), NULL, NULL},
    {S("nan"), NULL, NULL},
    {S("NaN"), NULL, NULL},
    {S("-nan"), NULL, NULL},
    {S("nan(123)"), NULL, NULL},
    {S("0x10"), "16", "16"},
    {S("0X1p4"), "16", "16"},
    {S("0x"), NULL, NULL},
    {S("0x1p-1074"), "4.9406564584124654e-324", "0"},
    {S(" 1"), NULL, NULL},
    {S("1 "), NULL, NULL},
    {S("\x09\x31"), NULL, NULL},
    {S(""), NULL, NULL},
    {S("-0"), "-0", "0"},
    {S("+0"), "0", "0"},
    {S("0"), "0", "0"},
    {S("-0.0"), "-0", "0"},
    {S("1e17"), "1e+17", "100000000000000000"},
    {S("1e16"), "10000000000000000", "10000000000000000"},
    {S("123456789012345678"), "1.2345678901234568e+17", "123456789012345678"},
    {S("0.1"), "0.10000000000000001", "0.1"},
    {S("0.3"), "0.29999999999999999", "0.3"},
    {S("1e308"), "1e+308",
        "99999999999999999996685879655845645660560099847415567207797047994921734868838061"
        "87210012692188853932044674722505401322315213474959396058359742081443019641876795"
        "91000196031907786631096045071066679391533957889389145605435630612683649016186302"
        "17086589253444881623791300855757318142424510452728255046343928578048"},
    {S("1e309"), NULL,
        "99999999999999999998634942458125645476630776324990604869972293366440736374211643"
        "16354271666004182454093987023823041527499719573284024231723411264840323703757727"
        "46974788657214625693651444984012739133113268869496442311034817571120406763557498"
        "021655642425941543468850939783228659030453659621446207643423114002432"},
    {S("-1e309"), NULL,
        "-9999999999999999999863494245812564547663077632499060486997229336644073637421164"
        "31635427166600418245409398702382304152749971957328402423172341126484032370375772"
        "74697478865721462569365144498401273913311326886949644231103481757112040676355749"
        "8021655642425941543468850939783228659030453659621446207643423114002432"},
    {S("1e-310"), "9.9999999999999694e-311", "0"},
    {S("1e-400"), NULL, "0"},
    {S("-1e-400"), NULL, "0"},
    {S(".5"), "0.5", "0.5"},
    {S("5."), "5", "5"},
    {S("."), NULL, NULL},
    {S("-."), NULL, NULL},
    {S("1e"), NULL, NULL},
    {S("1e+"), NULL, NULL},
    {S("1e+5"), "100000", "100000"},
    {S("1.7976931348623157e308"), "1.7976931348623157e+308",
        "17976931348623156999592104677410443404838644694432917848531442076517662852312439"
        "63547018686083870855644287934194255206893087083634511360553578972780264776170734"
        "98977686288394835618163294045594434929537447290627480669417384648879122776218333"
        "598953852832103282504751611691208117720159985926376802466863339536384"},
    {S("4503599627370496"), "4503599627370496", "4503599627370496"},
    {S("4503599627370495"), "4503599627370495", "4503599627370495"},
    {S("-4503599627370495"), "-4503599627370495", "-4503599627370495"},
    {S("9007199254740993"), "9007199254740992", "9007199254740993"},
    {S("1\x00"), NULL, NULL},
    {S("1\x00\x61\x62\x63"), NULL, NULL},
    {S("3.0000000000000001"), "3", "3.0000000000000001"},
    {S("1_0"), NULL, NULL},
    {S("1,5"), NULL, NULL},
    {S("2.5e-5"), "2.5000000000000001e-05", "0.000025"},
    {S("1e-5"), "1.0000000000000001e-05", "0.00001"},
    {S("123.456"), "123.456", "123.456"},
    {S("1e22"), "1e+22", "10000000000000000000000"},
    {S("1e21"), "1e+21", "1000000000000000000000"},
    {S("1e-7"), "9.9999999999999995e-08", "0.0000001"},
    {S("100000000000000000000"), "1e+20", "100000000000000000000"},
    {S("-1.5e300"), "-1.5000000000000001e+300",
        "-1500000000000000000049800109861472166362379239118673928551219718248973529929812"
        "70879285431057583093068653064456605022940692664673931101760698425828837743414393"
        "76027781967106612346559441957708385132688468261502054186329955472718748270729362"
        "30594920013241190363994471886080567336615911694509046614720512"},
    {S("1e4933"), NULL, NULL},
    {S("1e-4940"), NULL, "0"},
    {S("1e-5000"), NULL, NULL},
    {S("5e-324"), "4.9406564584124654e-324", "0"},
    {S("2.4703282292062327e-324"), NULL, "0"},
    {S("2.4703282292062328e-324"), "4.9406564584124654e-324", "0"},
    {S("1.7976931348623158e308"), "1.7976931348623157e+308",
        "17976931348623158000435853648190348957131015929214757375519940351524935861646432"
        "79124001740255066927966154660802500569136968573331078382797704647295900552029090"
        "91930999383456694240361149343396112230513635575724338994599887806154226051327402"
        "979490422113618715591379296065295868508253026779414764388559131508736"},
    {S("1.7976931348623159e308"), NULL,
        "17976931348623159000305071217830254601388048925209078071420815940772708118293635"
        "30128855307518598739263365236751925828788597013865331318359995730112884296946981"
        "06897016165865133331281304684724759660700168370767548966982797484210950452750874"
        "434632116449387785062538014826555880493241790085370897720263009370112"},
    {S("0.1e1"), "1", "1"},
    {S("+.5e-1"), "0.050000000000000003", "0.05"},
    {S("1e-7"), "9.9999999999999995e-08", "0.0000001"},
    {S("-1e-30"), "-1.0000000000000001e-30", "0"},
    {S("-6e-18"), "-5.9999999999999997e-18", "-0.00000000000000001"},
    {S("1.5e-17"), "1.5e-17", "0.00000000000000002"},
    {S("0.000000000000000005"), "5.0000000000000004e-18", "0"},
};
static const struct sum_case sum_cases[] = {
    {"0.1", "0.2", "0.3"},
    {"1.1", "2.2", "3.3"},
    {"-0", "-0", "0"},
    {"10.50", "0", "10.5"},
    {"5.0e3", "0", "5000"},
    {"1", "-1", "0"},
    {"0", "-1e-30", "0"},
    {"0", "-6e-18", "-0.00000000000000001"},
    {"0", "1.5e-17", "0.00000000000000002"},
    {"3", "-3.0000000000000001", "-0.0000000000000001"},
    {"1e308", "1e308",
        "19999999999999999999337175931169129132112019969483113441559409598984346973767612"
        "37442002538437770786408934944501080264463042694991879211671948416288603928375359"
        "18200039206381557326219209014213335878306791577877829121087126122536729803237260"
        "434173178506889763247582601711514636284849020905456510092687857156096"},
    {"1.5", "1.5", "3"},
    {"-1.5", "0.25", "-1.25"},
    {"1e18", "1", "1000000000000000001"},
    {"9223372036854775807", "1", "9223372036854775808"},
};
static const struct glob_case glob_cases[] = {
    {S("*"), S("x"), false, true},
    {S("**"), S(""), false, false},
    {S(""), S(""), false, true},
    {S(""), S("a"), false, false},
    {S("?"), S(""), false, false},
    {S("?"), S("x"), false, true},
    {S("??"), S("x"), false, false},
    {S("*?"), S("x"), false, true},
    {S("a*"), S("a"), false, true},
    {S("a*b"), S("ab"), false, true},
    {S("a*b"), S("axxb"), false, true},
    {S("a*b"), S("axxbc"), false, false},
    {S("*a*b*c"), S("aabbcc"), false, true},
    {S("["), S("x"), false, false},
    {S("["), S("["), false, false},
    {S("[^"), S("x"), false, true},
    {S("[^"), S("^"), false, true},
    {S("[]"), S("]"), false, false},
    {S("[]]"), S("]"), false, false},
    {S("[abc]"), S("b"), false, true},
    {S("[abc]"), S("d"), false, false},
    {S("[^a]"), S("a"), false, false},
    {S("[^a]"), S("b"), false, true},
    {S("[a-z]"), S("m"), false, true},
    {S("[z-a]"), S("m"), false, true},
    {S("[z-a]"), S("A"), false, false},
    {S("[a-]"), S("-"), false, false},
    {S("[a-]"), S("a"), false, true},
    {S("[a-]"), S("^"), false, true},
    {S("[a-]x"), S("]x"), false, false},
    {S("[-a]"), S("-"), false, true},
    {S("[a-c-e]"), S("d"), false, false},
    {S("[a-c-e]"), S("-"), false, true},
    {S("[\\]]"), S("]"), false, true},
    {S("[\\"), S("\\"), false, true},
    {S("[\\a]"), S("a"), false, true},
    {S("[a\\-z]"), S("m"), false, false},
    {S("[a\\-z]"), S("-"), false, true},
    {S("\\*"), S("*"), false, true},
    {S("\\*"), S("x"), false, false},
    {S("\\"), S("\\"), false, true},
    {S("a\\"), S("a\\"), false, true},
    {S("\\?"), S("?"), false, true},
    {S("\\?"), S("x"), false, false},
    {S("[*]"), S("*"), false, true},
    {S("[?]"), S("x"), false, false},
    {S("[^]]"), S("]"), false, false},
    {S("[^]]"), S("a"), false, false},
    {S("[a-z"), S("m"), false, true},
    {S("[a-z"), S("z"), false, true},
    {S("[a-"), S("-"), false, true},
    {S("[a-"), S("b"), false, false},
    {S("[\x01-\xff]"), S("a"), false, false},
    {S("[\x01-\xff]"), S("\xc0"), false, false},
    {S("[\x01-\xff]"), S("\x00"), false, true},
    {S("[\x01-\xff]"), S("\xff"), false, true},
    {S("[\xc0-z]"), S("a"), false, true},
    {S("[\xc0-z]"), S("\xd0"), false, true},
    {S("[\xc0-z]"), S("\xb0"), false, false},
    {S("a\x00\x62"), S("a\x00\x62"), false, true},
    {S("a?b"), S("a\x00\x62"), false, true},
    {S("A"), S("a"), false, false},
    {S("h*llo"), S("heeeello"), false, true},
    {S("h[^e]llo"), S("hallo"), false, true},
    {S("h[^e]llo"), S("hello"), false, false},
    {S("h[a-b]llo"), S("hbllo"), false, true},
    {S("*[ab]"), S("xxb"), false, true},
    {S("*\\"), S("x\\"), false, true},
    {S("*a"), S(""), false, false},
    {S("a**"), S("a"), false, true},
    {S("a**b"), S("ab"), false, true},
    {S("*a*"), S("bab"), false, true},
    {S("*a*a"), S("aa"), false, true},
    {S("*a*a"), S("a"), false, false},
    {S("GET"), S("get"), true, true},
    {S("G?T"), S("get"), true, true},
    {S("[G-G]et"), S("get"), true, true},
    {S("[g]ET"), S("get"), true, true},
    {S("[\\G]et"), S("get"), true, false},
    {S("\\Get"), S("get"), true, true},
    {S("[Z-a]et"), S("get"), true, false},
    {S("[z-A]et"), S("get"), true, true},
    {S("[z-A]et"), S("set"), true, true},
    {S("[\xc0-z]et"), S("get"), true, false},
    {S("[a-\xc0]et"), S("get"), true, false},
    {S("[^G]et"), S("get"), true, false},
    {S("[^G]et"), S("set"), true, true},
    {S("CONFIG|G*"), S("config|get"), true, true},
    {S("*|GET"), S("config|get"), true, true},
    {S("[A-Z]et"), S("get"), true, true},
    {S("[a-Z]et"), S("set"), true, false},
    {S("[a-Z]et"), S("get"), true, false},
};


static void test_ints(void)
{
    char buf[32];

    for (size_t i = 0; i < sizeof(int_cases) / sizeof(int_cases[0]); i++) {
        const struct int_case *c = &int_cases[i];
        long long ll = 12345;
        unsigned long long ull = 12345;
        bool ok = str_to_ll(c->s, c->len, &ll);

        if (c->ll == NULL) {
            CHECK_MSG(!ok, "str_to_ll(\"%s\") accepted %lld", show(c->s, c->len), ll);
        } else {
            CHECK_MSG(ok && (ll_to_str(buf, ll), strcmp(buf, c->ll) == 0),
                  "str_to_ll(\"%s\") ok=%d %lld, want %s", show(c->s, c->len), ok, ll, c->ll);
            CHECK_MSG(str_to_ll(c->s, c->len, NULL), "str_to_ll with NULL out");
        }
        ok = str_to_ull(c->s, c->len, &ull);
        if (c->ull == NULL) {
            CHECK_MSG(!ok, "str_to_ull(\"%s\") accepted %llu", show(c->s, c->len), ull);
        } else {
            CHECK_MSG(ok && (ull_to_str(buf, ull), strcmp(buf, c->ull) == 0),
                  "str_to_ull(\"%s\") ok=%d %llu, want %s", show(c->s, c->len), ok, ull, c->ull);
        }
    }

    /* Formatting extremes, and the length/NUL contract. */
    static const struct {
        long long v;
        const char *s;
    } lls[] = {
        {0, "0"}, {-1, "-1"}, {7, "7"}, {-10, "-10"}, {1000000, "1000000"},
        {LLONG_MAX, "9223372036854775807"}, {LLONG_MIN, "-9223372036854775808"},
    };
    for (size_t i = 0; i < sizeof(lls) / sizeof(lls[0]); i++) {
        memset(buf, 'x', sizeof(buf));
        size_t n = ll_to_str(buf, lls[i].v);
        CHECK_MSG(n == strlen(lls[i].s) && strcmp(buf, lls[i].s) == 0, "ll_to_str(%lld) = \"%s\"",
              lls[i].v, buf);
    }
    CHECK_MSG(ull_to_str(buf, ULLONG_MAX) == 20 && strcmp(buf, "18446744073709551615") == 0,
          "ull_to_str(max) = %s", buf);
    CHECK_MSG(ull_to_str(buf, 0) == 1 && strcmp(buf, "0") == 0, "ull_to_str(0) = %s", buf);

    /* Round trips over a spread of values, both signs, every magnitude. */
    unsigned long long x = 0x9e3779b97f4a7c15ULL;
    int rt_bad = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        long long v = (long long)(x >> (x & 63));
        long long back;
        unsigned long long uback;
        size_t n = ll_to_str(buf, v);
        if (!str_to_ll(buf, n, &back) || back != v) {
            rt_bad++;
        }
        n = ull_to_str(buf, x);
        if (!str_to_ull(buf, n, &uback) || uback != x) {
            rt_bad++;
        }
    }
    CHECK_MSG(rt_bad == 0, "%d integer round trips failed", rt_bad);

    /* A slice need not be NUL-terminated: only len bytes are read. */
    long long v;
    CHECK_MSG(str_to_ll("123456", 3, &v) && v == 123, "str_to_ll slice");
    unsigned long long u;
    CHECK_MSG(str_to_ull("98765", 2, &u) && u == 98, "str_to_ull slice");
}

static void test_mem(void)
{
    for (size_t i = 0; i < sizeof(mem_cases) / sizeof(mem_cases[0]); i++) {
        const struct mem_case *c = &mem_cases[i];
        unsigned long long v = 12345;
        char buf[32];
        bool ok = str_to_mem(c->s, &v);

        if (c->val == NULL) {
            CHECK_MSG(!ok, "str_to_mem(\"%s\") accepted %llu", c->s, v);
        } else {
            CHECK_MSG(ok && (ull_to_str(buf, v), strcmp(buf, c->val) == 0),
                  "str_to_mem(\"%s\") ok=%d %llu, want %s", c->s, ok, v, c->val);
        }
    }
}

/* What INCRBYFLOAT replies for stored value a (as text) plus increment b, or NULL. */
static const char *incrbyfloat(const char *a, size_t alen, const char *b, size_t blen,
                               char *buf, size_t cap)
{
    long double x = 0;
    long double y;

    if ((a != NULL && !str_to_ld(a, alen, &x)) || !str_to_ld(b, blen, &y)) {
        return NULL;
    }
    x += y;
    if (isnan(x) || isinf(x)) {
        return LD_INF;
    }
    return ld_to_str(buf, cap, x) > 0 ? buf : "<no room>";
}

static void test_doubles(void)
{
    static char buf[5200];

    for (size_t i = 0; i < sizeof(dbl_cases) / sizeof(dbl_cases[0]); i++) {
        const struct dbl_case *c = &dbl_cases[i];
        double d = 12345;
        bool ok = str_to_d(c->s, c->len, &d);

        if (c->zscore == NULL) {
            CHECK_MSG(!ok, "str_to_d(\"%s\") accepted %.17g", show(c->s, c->len), d);
        } else {
            size_t n = ok ? d_to_str(buf, sizeof(buf), d) : 0;
            CHECK_MSG(ok && n == strlen(c->zscore) && strcmp(buf, c->zscore) == 0,
                  "str_to_d/d_to_str(\"%s\") ok=%d \"%s\", want \"%s\"", show(c->s, c->len), ok,
                  ok ? buf : "", c->zscore);
        }
        const char *r = incrbyfloat(NULL, 0, c->s, c->len, buf, sizeof(buf));
        if (c->incr == NULL || r == NULL) {
            CHECK_MSG(r == c->incr, "INCRBYFLOAT \"%s\": got %s, want %s", show(c->s, c->len),
                  r ? r : "invalid", c->incr ? c->incr : "invalid");
        } else {
            CHECK_MSG(strcmp(r, c->incr) == 0, "INCRBYFLOAT \"%s\": got %s, want %s",
                  show(c->s, c->len), r, c->incr);
        }
    }
    for (size_t i = 0; i < sizeof(sum_cases) / sizeof(sum_cases[0]); i++) {
        const struct sum_case *c = &sum_cases[i];
        const char *r = incrbyfloat(c->a, strlen(c->a), c->b, strlen(c->b), buf, sizeof(buf));
        CHECK_MSG(r != NULL && strcmp(r, c->result) == 0, "INCRBYFLOAT %s + %s: got %s, want %s",
              c->a, c->b, r ? r : "invalid", c->result);
    }

    /* INCRBYFLOAT k 1e4932 replies with all 4933 integer digits of the long double. */
    const char *big = incrbyfloat(NULL, 0, S("1e4932"), buf, sizeof(buf));
    CHECK_MSG(big != NULL && strlen(big) == 4933 &&
              strncmp(big, "10000000000000000000060189493879638913238", 41) == 0,
          "INCRBYFLOAT 1e4932: %.50s... (%zu chars)", big ? big : "", big ? strlen(big) : 0);

    /* string2ld takes at most 5119 bytes (verified: "000...1" of 5119 ok, 5120 not). */
    static char longin[20100];
    long double ld;
    memset(longin, '0', 5120);
    longin[5118] = '1';
    CHECK_MSG(str_to_ld(longin, 5119, &ld) && ld == 1.0L, "str_to_ld 5119 bytes");
    longin[5118] = '0';
    longin[5119] = '1';
    CHECK_MSG(!str_to_ld(longin, 5120, &ld), "str_to_ld 5120 bytes must fail");

    /* string2d has no length limit (ZADD with 20000 leading zeros works). */
    double d;
    memset(longin, '0', 20000);
    memcpy(longin + 20000, "1.5", 3);
    CHECK_MSG(str_to_d(longin, 20003, &d) && d == 1.5, "str_to_d 20003 bytes");
    memcpy(longin, "1.", 2);
    memset(longin + 2, '0', 20000);
    longin[20002] = '1';
    CHECK_MSG(str_to_d(longin, 20003, &d) && d == 1.0, "str_to_d 1.000...1");
    longin[20002] = 'x';
    CHECK_MSG(!str_to_d(longin, 20003, &d), "str_to_d long with junk");

    /* A slice need not be NUL-terminated. */
    CHECK_MSG(str_to_d("2.5xyz", 3, &d) && d == 2.5, "str_to_d slice");
    CHECK_MSG(str_to_ld("2.5xyz", 3, &ld) && ld == 2.5L, "str_to_ld slice");
    CHECK_MSG(str_to_d(S("7"), NULL) && str_to_ld(S("7"), NULL), "NULL out");

    /* d_to_str spellings, including what no parse can produce. */
    static const struct {
        double v;
        const char *s;
    } ds[] = {
        {0.0, "0"}, {-0.0, "-0"}, {1.0, "1"}, {-1.5, "-1.5"}, {1e17, "1e+17"},
        {1e16, "10000000000000000"}, {0.1, "0.10000000000000001"},
        {4503599627370495.0, "4503599627370495"}, {-4503599627370495.0, "-4503599627370495"},
        {4503599627370496.0, "4503599627370496"}, {-4503599627370496.0, "-4503599627370496"},
        {DBL_MAX, "1.7976931348623157e+308"}, {-DBL_MIN, "-2.2250738585072014e-308"},
        {DBL_TRUE_MIN, "4.9406564584124654e-324"}, {123456789.0, "123456789"},
    };
    for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
        size_t n = d_to_str(buf, 128, ds[i].v);
        CHECK_MSG(n == strlen(ds[i].s) && strcmp(buf, ds[i].s) == 0, "d_to_str(%.17g) = \"%s\"",
              ds[i].v, buf);
    }
    CHECK_MSG(d_to_str(buf, 128, INFINITY) == 3 && strcmp(buf, "inf") == 0, "inf");
    CHECK_MSG(d_to_str(buf, 128, -INFINITY) == 4 && strcmp(buf, "-inf") == 0, "-inf");
    CHECK_MSG(d_to_str(buf, 128, NAN) == 3 && strcmp(buf, "nan") == 0, "nan");
    CHECK_MSG(d_to_str(buf, 128, -NAN) == 3 && strcmp(buf, "nan") == 0, "-nan prints nan");
    CHECK_MSG(d_to_str(buf, 4, 1.5) == 3 && d_to_str(buf, 3, 1.5) == 0, "d_to_str cap");
    CHECK_MSG(d_to_str(buf, 3, 100) == 0 && d_to_str(buf, 4, 100) == 3, "d_to_str cap int");
    CHECK_MSG(d_to_str(buf, 4, -INFINITY) == 0 && d_to_str(buf, 0, 0.0) == 0, "d_to_str cap lit");

    /* ld_to_str beyond what the tables reach. */
    CHECK_MSG(ld_to_str(buf, 64, -0.0L) == 1 && strcmp(buf, "0") == 0, "ld -0");
    CHECK_MSG(ld_to_str(buf, 64, INFINITY) == 3 && strcmp(buf, "inf") == 0, "ld inf");
    CHECK_MSG(ld_to_str(buf, 64, -INFINITY) == 4 && strcmp(buf, "-inf") == 0, "ld -inf");
    CHECK_MSG(ld_to_str(buf, 64, 100.0L) == 3 && strcmp(buf, "100") == 0, "ld 100");
    CHECK_MSG(ld_to_str(buf, 64, -2.5L) == 4 && strcmp(buf, "-2.5") == 0, "ld -2.5");
    /* Room is needed for the untrimmed "%.17Lf" text: "1.50000000000000000" is 19. */
    CHECK_MSG(ld_to_str(buf, 20, 1.5L) == 3 && ld_to_str(buf, 19, 1.5L) == 0, "ld cap");
    CHECK_MSG(ld_to_str(buf, 5120, -LDBL_MAX) == 4934 && ld_to_str(buf, 4952, -LDBL_MAX) == 0 &&
              ld_to_str(buf, 4953, -LDBL_MAX) == 4934,
          "ld -max needs 4953 bytes");
}

/* Plain backtracking matcher from the rules in util.h, to cross-check glob_match. */
static size_t ref_class(const char *p, size_t plen, size_t i, char c, bool nocase, bool *m)
{
    bool neg = false;
    bool hit = false;

    i++;
    if (i < plen && p[i] == '^') {
        neg = true;
        i++;
    }
    while (i < plen && p[i] != ']') {
        if (p[i] == '\\' && i + 1 < plen) {
            hit |= p[i + 1] == c;
            i += 2;
        } else if (i + 2 < plen && p[i + 1] == '-') {
            int a = (signed char)p[i];
            int b = (signed char)p[i + 2];
            int x = (signed char)c;
            if (a > b) {
                int t = a;
                a = b;
                b = t;
            }
            if (nocase) {
                a = a >= 'A' && a <= 'Z' ? a + 32 : a < -1 ? a + 256 : a;
                b = b >= 'A' && b <= 'Z' ? b + 32 : b < -1 ? b + 256 : b;
                x = x >= 'A' && x <= 'Z' ? x + 32 : x < -1 ? x + 256 : x;
            }
            hit |= x >= a && x <= b;
            i += 3;
        } else {
            char a = p[i];
            char b = c;
            if (nocase) {
                a = (char)(a >= 'A' && a <= 'Z' ? a + 32 : a);
                b = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
            }
            hit |= a == b;
            i++;
        }
    }
    *m = neg ? !hit : hit;
    return i < plen ? i + 1 : plen;
}

static bool ref_match(const char *p, size_t plen, const char *s, size_t slen, bool nocase)
{
    if (plen == 0) {
        return slen == 0;
    }
    if (p[0] == '*') {
        for (size_t k = 0; k <= slen; k++) {
            if (ref_match(p + 1, plen - 1, s + k, slen - k, nocase)) {
                return true;
            }
        }
        return false;
    }
    if (slen == 0) {
        return false;
    }
    bool m;
    size_t next;
    if (p[0] == '?') {
        m = true;
        next = 1;
    } else if (p[0] == '[') {
        next = ref_class(p, plen, 0, s[0], nocase, &m);
    } else {
        size_t i = p[0] == '\\' && plen >= 2 ? 1 : 0;
        char a = p[i];
        char b = s[0];
        if (nocase) {
            a = (char)(a >= 'A' && a <= 'Z' ? a + 32 : a);
            b = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
        }
        m = a == b;
        next = i + 1;
    }
    return m && ref_match(p + next, plen - next, s + 1, slen - 1, nocase);
}

static void test_glob(void)
{
    for (size_t i = 0; i < sizeof(glob_cases) / sizeof(glob_cases[0]); i++) {
        const struct glob_case *c = &glob_cases[i];
        bool got = glob_match(c->pat, c->patlen, c->s, c->slen, c->nocase);
        CHECK_MSG(got == c->match, "glob_match(\"%s\", \"%s\", nocase=%d) = %d",
              show(c->pat, c->patlen), show(c->s, c->slen), c->nocase, got);
    }

    /* Random patterns and strings against the reference (which differs from Redis only
     * on the empty string, excluded here, and past 1000 stars). */
    static const char *const ptoks[] = {"a", "b", "A", "*", "*", "?", "[", "]", "^", "-", "\\",
                                        "\xc0", "[a-b]", "[^a]"};
    static const char salpha[] = "abAB-]^\\[*?\xc0";
    unsigned long long x = 88172645463325252ULL;
    int bad = 0;
    for (int iter = 0; iter < 300000; iter++) {
        char p[64];
        char s[16];
        size_t plen = 0;
        size_t slen;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned long long y = x;
        size_t ntok = y % 8;
        y /= 8;
        for (size_t t = 0; t < ntok; t++) {
            const char *tok = ptoks[y % 14];
            y /= 14;
            if (y == 0) {
                y = x * 2654435761ULL + t;
            }
            memcpy(p + plen, tok, strlen(tok));
            plen += strlen(tok);
        }
        slen = 1 + (x >> 40) % 7;
        for (size_t k = 0; k < slen; k++) {
            s[k] = salpha[(x >> (k * 4)) % (sizeof(salpha) - 1)];
        }
        bool nocase = (x >> 60) & 1;
        if (glob_match(p, plen, s, slen, nocase) != ref_match(p, plen, s, slen, nocase)) {
            if (bad++ < 5) {
                fprintf(stderr, "glob differs: \"%s\" \"%s\" nocase=%d\n", show(p, plen),
                        show(s, slen), nocase);
            }
        }
    }
    CHECK_MSG(bad == 0, "%d random glob cases differ from the reference", bad);

    /* Redis 7.0.15 gives up past 1000 '*' groups unless the group ends the pattern; all
     * verified with KEYS against a key of 1100 'a's. */
    static char key[1100];
    static char pat[4200];
    memset(key, 'a', sizeof(key));
    static const struct {
        int pairs;     /* "*a" repeated */
        const char *tail;
        bool match;
    } nest[] = {
        {1000, "*", true}, {1001, "", false}, {1000, "", true}, {999, "a*a", true},
        {1001, "*", false}, {1002, "*", false},
    };
    for (size_t i = 0; i < sizeof(nest) / sizeof(nest[0]); i++) {
        size_t n = 0;
        for (int k = 0; k < nest[i].pairs; k++) {
            pat[n++] = '*';
            pat[n++] = 'a';
        }
        memcpy(pat + n, nest[i].tail, strlen(nest[i].tail));
        n += strlen(nest[i].tail);
        CHECK_MSG(glob_match(pat, n, key, sizeof(key), false) == nest[i].match,
              "nesting case %zu (%d pairs + \"%s\")", i, nest[i].pairs, nest[i].tail);
    }
    /* Consecutive stars are one group: 1000 groups of "**" still match. */
    size_t n = 0;
    for (int k = 0; k < 1000; k++) {
        memcpy(pat + n, "**a", 3);
        n += 3;
    }
    CHECK_MSG(glob_match(pat, n, key, sizeof(key), false), "1000 groups of **a");

    /* Hostile pattern: exponential for naive backtracking, linear-ish here. */
    static char hay[200000];
    memset(hay, 'a', sizeof(hay));
    n = 0;
    for (int k = 0; k < 40; k++) {
        pat[n++] = '*';
        pat[n++] = 'a';
    }
    pat[n++] = 'b';
    clock_t t0 = clock();
    CHECK_MSG(!glob_match(pat, n, hay, sizeof(hay), false), "hostile pattern matched");
    CHECK_MSG(glob_match(pat, n - 1, hay, sizeof(hay), false), "hostile pattern minus b");
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK_MSG(secs < 10.0, "hostile pattern took %.2fs", secs);
}

int main(void)
{
    test_ints();
    test_mem();
    test_doubles();
    test_glob();
    return check_summary("test_util");
}
