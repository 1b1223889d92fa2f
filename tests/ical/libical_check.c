/* The feed read by libical (the parser behind Evolution and many servers): every component
 * parses with no X-LIC-ERROR, the RFC 5546 restriction check passes, every event has what an
 * ops engineer reads (SUMMARY of at most 60 characters, DTSTART, UID, CATEGORIES), and each
 * recurring event expands.
 *
 * Build: cc libical_check.c $(pkg-config --cflags --libs libical) -o libical_check
 * Run:   mado calendar --lang ja | ./libical_check   (exit 0 when clean) */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t utf8_chars(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if ((*s & 0xC0) != 0x80) n++;
    return n;
}

static int occurrences;
static void count(icalcomponent *c, struct icaltime_span *span, void *data) {
    (void)c; (void)span; (void)data;
    occurrences++;
}

int main(void) {
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
        len += n;
        if (len + 1 >= cap) buf = realloc(buf, cap *= 2);
    }
    buf[len] = 0;
    icalcomponent *cal = icalparser_parse_string(buf);
    if (!cal) { fprintf(stderr, "libical: the feed does not parse\n"); return 1; }
    int failed = 0;
    if (!icalrestriction_check(cal)) { fprintf(stderr, "libical: RFC 5546 restriction check failed\n"); failed = 1; }
    int errors = icalcomponent_count_errors(cal);
    if (errors) {
        fprintf(stderr, "libical: %d X-LIC-ERROR properties\n", errors);
        for (icalcomponent *e = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); e;
             e = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT))
            for (icalproperty *p = icalcomponent_get_first_property(e, ICAL_XLICERROR_PROPERTY); p;
                 p = icalcomponent_get_next_property(e, ICAL_XLICERROR_PROPERTY))
                fprintf(stderr, "  %s: %s\n", icalcomponent_get_uid(e) ? icalcomponent_get_uid(e) : "?", icalproperty_get_xlicerror(p));
        failed = 1;
    }
    int events = 0;
    struct icaltimetype from = icaltime_from_string("20190101T000000Z");
    struct icaltimetype to = icaltime_from_string("20270101T000000Z");
    for (icalcomponent *e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); e;
         e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        events++;
        const char *summary = icalcomponent_get_summary(e);
        const char *uid = icalcomponent_get_uid(e);
        if (!summary || !uid || icaltime_is_null_time(icalcomponent_get_dtstart(e))) {
            fprintf(stderr, "libical: event %s lacks SUMMARY, UID or DTSTART\n", uid ? uid : "?");
            failed = 1;
            continue;
        }
        if (utf8_chars(summary) > 60) {
            fprintf(stderr, "libical: SUMMARY of %s is %zu characters: %s\n", uid, utf8_chars(summary), summary);
            failed = 1;
        }
        if (!icalcomponent_get_first_property(e, ICAL_CATEGORIES_PROPERTY)) {
            fprintf(stderr, "libical: %s has no CATEGORIES\n", uid);
            failed = 1;
        }
        icalcomponent_foreach_recurrence(e, from, to, count, NULL);
    }
    printf("libical %s: %d events, %d occurrences in 2019-2026, %s\n", ICAL_VERSION, events, occurrences, failed ? "FAILED" : "ok");
    icalcomponent_free(cal);
    free(buf);
    return failed || events == 0;
}
