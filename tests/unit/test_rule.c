/*
 * test_rule - al_decide() over every combination of link state and
 * candidate set, plus the cases worth naming on their own.
 */
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "rule.h"
#include "tap.h"

/* A candidate with a true liveness that the probe loop reveals. */
struct fixture {
	struct al_candidate c[4];
	enum al_liveness truth[4];
	size_t n;
};

static void
add(struct fixture *f, const char *path, long mtime, enum al_liveness truth)
{
	struct al_candidate *c = &f->c[f->n];

	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->mtime.tv_sec = mtime;
	c->live = AL_UNKNOWN;
	f->truth[f->n++] = truth;
}

static void
add_tty(struct fixture *f, const char *path, long mtime, enum al_liveness truth,
	enum al_tty tty)
{
	add(f, path, mtime, truth);
	f->c[f->n - 1].interactive = tty;
}

/* Forgets what was learned, to run the fixture again. */
static void
clear(struct fixture *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		f->c[i].live = AL_UNKNOWN;
}

/* Runs the decide/probe loop as al_settle() does; counts probes. */
static struct al_decision
run(struct fixture *f, enum al_policy policy, enum al_link_kind kind,
    int target, int *probes)
{
	struct al_link_state link = { kind, target };
	struct al_decision d;

	*probes = 0;
	for (;;) {
		d = al_decide(policy, &link, f->c, f->n);
		if (d.action != AL_ACT_PROBE)
			return d;
		if (d.index < 0 || (size_t)d.index >= f->n ||
		    f->c[d.index].live != AL_UNKNOWN || ++*probes > 8) {
			d.action = AL_ACT_PROBE;	/* a bad request: fail below */
			return d;
		}
		f->c[d.index].live = f->truth[d.index];
	}
}

static int
usable(enum al_liveness l)
{
	return l == AL_LIVE || l == AL_ANSWERS;
}

static void
named_cases(void)
{
	struct fixture f;
	struct al_decision d;
	int probes;

	memset(&f, 0, sizeof(f));
	d = run(&f, AL_POLICY_KEEP, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_NONE, "no link, no candidate: nothing to do");

	memset(&f, 0, sizeof(f));
	d = run(&f, AL_POLICY_KEEP, AL_LINK_SYMLINK, -1, &probes);
	ok(d.action == AL_ACT_REMOVE && d.reason == AL_WHY_FOREIGN,
	   "dangling link, no candidate: removed");

	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_LIVE);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 0 && d.reason == AL_WHY_MISSING,
	   "no link, one live candidate: linked to it");

	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_LIVE);
	add(&f, "/tmp/ssh-b/agent.2", 200, AL_LIVE);
	add(&f, "/tmp/ssh-c/agent.3", 150, AL_LIVE);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 1, "several live: the newest");
	is_int(probes, 1, "only the newest was probed");

	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_LIVE);
	add(&f, "/tmp/ssh-b/agent.2", 300, AL_DEAD);
	add(&f, "/tmp/ssh-c/agent.3", 200, AL_DEAD);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 0,
	   "stale newer sockets are passed over for an older live one");

	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_DEAD);
	add(&f, "/tmp/ssh-b/agent.2", 200, AL_DEAD);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_NONE, "stale sockets only, no link: nothing");
	d = run(&f, AL_POLICY_KEEP, AL_LINK_SYMLINK, 1, &probes);
	ok(d.action == AL_ACT_REMOVE && d.reason == AL_WHY_DEAD,
	   "link at a dead socket, nothing live: removed (dead)");

	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_LIVE);
	add(&f, "/tmp/ssh-b/agent.2", 200, AL_LIVE);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_SYMLINK, 0, &probes);
	ok(d.action == AL_ACT_KEEP && d.index == 0 && d.reason == AL_WHY_ALIVE,
	   "policy=keep: an older live link is kept");
	is_int(probes, 1, "keeping a live link probes only its target");

	f.c[0].live = f.c[1].live = AL_UNKNOWN;
	d = run(&f, AL_POLICY_NEWEST, AL_LINK_SYMLINK, 0, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 1 && d.reason == AL_WHY_NEWER,
	   "policy=newest: moves to the newer live socket");
	f.c[0].live = f.c[1].live = AL_UNKNOWN;
	d = run(&f, AL_POLICY_NEWEST, AL_LINK_SYMLINK, 1, &probes);
	ok(d.action == AL_ACT_KEEP && d.index == 1,
	   "policy=newest: already at the newest, kept");

	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_DEAD);
	add(&f, "/tmp/ssh-b/agent.2", 50, AL_LIVE);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_SYMLINK, 0, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 1 && d.reason == AL_WHY_DEAD,
	   "link at a dead socket: relinked to the live one (dead)");

	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_LIVE);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_OTHER, -1, &probes);
	ok(d.action == AL_ACT_REFUSE && d.reason == AL_WHY_NOT_SYMLINK,
	   "a regular file, directory or FIFO at the link path is refused");
	is_int(probes, 0, "a refused link probes nothing");

	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_LIVE);
	add(&f, "/tmp/ssh-b/agent.2", 100, AL_LIVE);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 1,
	   "equal times: the greater path wins, so the choice is stable");

	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_LIVE);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_SYMLINK, 7, &probes);
	ok(d.action == AL_ACT_LINK && d.reason == AL_WHY_FOREIGN,
	   "an out-of-range target index counts as foreign");

	/* What the agent probe adds: hung, and answers beating accepts. */
	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_ANSWERS);
	add(&f, "/tmp/ssh-b/agent.2", 200, AL_HUNG);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_SYMLINK, 1, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 0 && d.reason == AL_WHY_HUNG,
	   "policy=keep, the link's agent is hung: relinked to an older one that answers");
	f.c[0].live = f.c[1].live = AL_UNKNOWN;
	d = run(&f, AL_POLICY_KEEP, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 0,
	   "no link: a newer hung socket is passed over for one that answers");
	f.c[0].live = f.c[1].live = AL_UNKNOWN;
	d = run(&f, AL_POLICY_NEWEST, AL_LINK_SYMLINK, 0, &probes);
	ok(d.action == AL_ACT_KEEP && d.index == 0,
	   "policy=newest never moves to a newer hung socket");

	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_DEAD);
	add(&f, "/tmp/ssh-b/agent.2", 200, AL_HUNG);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_SYMLINK, 1, &probes);
	ok(d.action == AL_ACT_KEEP && d.index == 1 && d.reason == AL_WHY_ONLY_HUNG,
	   "a hung link with nothing else alive is kept (its connection may wake up)");
	f.c[0].live = f.c[1].live = AL_UNKNOWN;
	d = run(&f, AL_POLICY_KEEP, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_NONE, "no link and only a hung socket: no link is made");

	/* Known together (a batch of probes): answers beat a newer accepts. */
	memset(&f, 0, sizeof(f));
	add(&f, "/tmp/ssh-a/agent.1", 100, AL_ANSWERS);
	add(&f, "/tmp/ssh-b/agent.2", 200, AL_LIVE);
	f.c[0].live = AL_ANSWERS;
	f.c[1].live = AL_LIVE;
	d = run(&f, AL_POLICY_KEEP, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 0 && probes == 0,
	   "known at once: the one that answered beats a newer one that only accepts");
	f.c[0].live = AL_UNKNOWN;
	d = run(&f, AL_POLICY_KEEP, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 1 && probes == 0,
	   "an older unknown is not asked about once a newer one accepts");

	ok(strstr(al_reason_text(AL_WHY_DEAD), "dead") != NULL &&
	   strstr(al_reason_text(AL_WHY_HUNG), "answer") != NULL &&
	   strstr(al_reason_text(AL_WHY_NOT_SYMLINK), "symbolic") != NULL,
	   "reasons read as text");
}

/* policy=interactive: connections with a terminal first, then as keep. */
static void
interactive_cases(void)
{
	struct fixture f;
	struct al_decision d;
	int probes;

	memset(&f, 0, sizeof(f));
	add_tty(&f, "/tmp/ssh-a/agent.1", 100, AL_ANSWERS, AL_TTY_NO);
	add_tty(&f, "/tmp/ssh-b/agent.2", 200, AL_ANSWERS, AL_TTY_NO);
	d = run(&f, AL_POLICY_INTERACTIVE, AL_LINK_SYMLINK, 0, &probes);
	ok(d.action == AL_ACT_KEEP && d.index == 0 && d.reason == AL_WHY_ALIVE,
	   "interactive, no terminal anywhere: a live link is kept, as with keep");

	memset(&f, 0, sizeof(f));
	add_tty(&f, "/tmp/ssh-a/agent.1", 100, AL_ANSWERS, AL_TTY_YES);
	add_tty(&f, "/tmp/ssh-b/agent.2", 200, AL_ANSWERS, AL_TTY_NO);
	d = run(&f, AL_POLICY_INTERACTIVE, AL_LINK_SYMLINK, 1, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 0 && d.reason == AL_WHY_TERMINAL,
	   "interactive: a live notty link moves to an older connection with a terminal");
	ok(strstr(al_reason_text(d.reason), "terminal") != NULL,
	   "... and the reason says why");
	clear(&f);
	d = run(&f, AL_POLICY_INTERACTIVE, AL_LINK_SYMLINK, 0, &probes);
	ok(d.action == AL_ACT_KEEP && d.index == 0,
	   "interactive: a link at the connection with a terminal stays, "
	   "though a newer notty one answers");
	clear(&f);
	d = run(&f, AL_POLICY_KEEP, AL_LINK_SYMLINK, 1, &probes);
	ok(d.action == AL_ACT_KEEP && d.index == 1,
	   "keep ignores terminals: the live notty link stays");
	clear(&f);
	d = run(&f, AL_POLICY_NEWEST, AL_LINK_SYMLINK, 0, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 1 && d.reason == AL_WHY_NEWER,
	   "newest ignores terminals: moves to the newer notty one");

	memset(&f, 0, sizeof(f));
	add_tty(&f, "/tmp/ssh-a/agent.1", 100, AL_ANSWERS, AL_TTY_YES);
	add_tty(&f, "/tmp/ssh-b/agent.2", 200, AL_LIVE, AL_TTY_YES);
	add_tty(&f, "/tmp/ssh-c/agent.3", 300, AL_ANSWERS, AL_TTY_NO);
	d = run(&f, AL_POLICY_INTERACTIVE, AL_LINK_SYMLINK, 0, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 1 && d.reason == AL_WHY_TERMINAL,
	   "interactive: the newest of the connections with a terminal");

	memset(&f, 0, sizeof(f));
	add_tty(&f, "/tmp/ssh-a/agent.1", 100, AL_HUNG, AL_TTY_YES);
	add_tty(&f, "/tmp/ssh-b/agent.2", 50, AL_ANSWERS, AL_TTY_NO);
	d = run(&f, AL_POLICY_INTERACTIVE, AL_LINK_SYMLINK, 0, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 1 && d.reason == AL_WHY_HUNG,
	   "interactive: a hung terminal connection gives the link to a notty one "
	   "that answers");
	clear(&f);
	d = run(&f, AL_POLICY_INTERACTIVE, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 1,
	   "interactive: no link is made to a hung terminal connection");

	memset(&f, 0, sizeof(f));
	add_tty(&f, "/tmp/ssh-a/agent.1", 100, AL_DEAD, AL_TTY_YES);
	add_tty(&f, "/tmp/ssh-b/agent.2", 50, AL_ANSWERS, AL_TTY_NO);
	d = run(&f, AL_POLICY_INTERACTIVE, AL_LINK_SYMLINK, 0, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 1 && d.reason == AL_WHY_DEAD,
	   "interactive: the terminal connection ended: the link goes to the notty one");

	memset(&f, 0, sizeof(f));
	add_tty(&f, "/tmp/ssh-a/agent.1", 100, AL_ANSWERS, AL_TTY_NO);
	add_tty(&f, "/tmp/ssh-b/agent.2", 200, AL_ANSWERS, AL_TTY_UNKNOWN);
	d = run(&f, AL_POLICY_INTERACTIVE, AL_LINK_SYMLINK, 0, &probes);
	ok(d.action == AL_ACT_KEEP && d.index == 0,
	   "interactive: a connection whose terminal is not known yet takes nothing");

	memset(&f, 0, sizeof(f));
	add_tty(&f, "/tmp/ssh-a/agent.1", 400, AL_ANSWERS, AL_TTY_NO);
	add_tty(&f, "/tmp/ssh-b/agent.2", 300, AL_ANSWERS, AL_TTY_NO);
	add_tty(&f, "/tmp/ssh-c/agent.3", 200, AL_ANSWERS, AL_TTY_YES);
	add_tty(&f, "/tmp/ssh-d/agent.4", 100, AL_ANSWERS, AL_TTY_NO);
	d = run(&f, AL_POLICY_INTERACTIVE, AL_LINK_MISSING, -1, &probes);
	ok(d.action == AL_ACT_LINK && d.index == 2 && d.reason == AL_WHY_MISSING,
	   "interactive, no link: linked to the one with a terminal");
	is_int(probes, 1, "only the connection with a terminal was probed");
}

/* The newest candidate that is usable (and has a terminal, with
 * tty_only) by the truth of the fixture, or -1. */
static int
newest_usable(const struct fixture *f, int tty_only)
{
	int newest = -1;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (!usable(f->truth[i]) ||
		    (tty_only && f->c[i].interactive != AL_TTY_YES))
			continue;
		if (newest < 0 || f->c[i].mtime.tv_sec > f->c[newest].mtime.tv_sec)
			newest = (int)i;
	}
	return newest;
}

/*
 * Does d follow the rule?  policy=interactive: the newest usable
 * connection with a terminal, if any; otherwise, and for policy=keep, a
 * usable link is kept; otherwise the newest usable one; with nothing
 * usable a hung link is kept, any other removed.  Never a dead or hung
 * target.
 */
static int
follows_rule(const struct fixture *f, enum al_policy pol, int link,
	     struct al_decision d)
{
	int newest = newest_usable(f, 0), term = newest_usable(f, 1), want;

	if (d.action == AL_ACT_PROBE)
		return 0;
	if ((d.action == AL_ACT_LINK || d.action == AL_ACT_KEEP) &&
	    (d.index < 0 || (size_t)d.index >= f->n ||
	     (!usable(f->truth[d.index]) &&
	      !(d.action == AL_ACT_KEEP && f->truth[d.index] == AL_HUNG))))
		return 0;
	if (pol == AL_POLICY_INTERACTIVE && term >= 0)
		want = term;
	else if (newest < 0 && link >= 0 && f->truth[link] == AL_HUNG)
		return d.action == AL_ACT_KEEP && d.index == link;
	else if (newest < 0)
		return d.action == (link == -2 ? AL_ACT_NONE : AL_ACT_REMOVE);
	else if (pol != AL_POLICY_NEWEST && link >= 0 && usable(f->truth[link]))
		want = link;
	else
		want = newest;
	if (want == link)
		return d.action == AL_ACT_KEEP && d.index == want;
	return d.action == AL_ACT_LINK && d.index == want;
}

/*
 * Link states: missing, dangling / at a non-socket / at another user's
 * socket (all "not a candidate": target -1), at each candidate.
 * Candidate sets: up to three, each of every liveness (dead, accepts,
 * hung, answers, learned one probe at a time) and, for each, a
 * connection with a terminal, without one, or not known; under every
 * policy (keep and newest never look at the terminal).
 */
static void
matrix(void)
{
	static const enum al_liveness lv[4] = { AL_DEAD, AL_LIVE, AL_HUNG, AL_ANSWERS };
	static const enum al_tty tty[3] = { AL_TTY_NO, AL_TTY_YES, AL_TTY_UNKNOWN };
	static const enum al_policy pols[3] = {
		AL_POLICY_KEEP, AL_POLICY_NEWEST, AL_POLICY_INTERACTIVE
	};
	unsigned bad = 0, cases = 0, mask, combos, n, i, digit;
	int pol, link, probes;

	for (pol = 0; pol < 3; pol++)
	for (n = 0, combos = 1; n <= 3; n++, combos *= 12)
	for (mask = 0; mask < combos; mask++)
	for (link = -2; link < (int)n; link++) {
		/* link -2: missing; -1: not a candidate; >= 0: that one */
		struct fixture f;
		struct al_decision d;

		memset(&f, 0, sizeof(f));
		for (i = 0, digit = mask; i < n; i++, digit /= 12) {
			char p[32];

			snprintf(p, sizeof(p), "/tmp/ssh-%u/agent.%u", i, i + 10);
			/* times 300, 100, 200: order differs from index order */
			add(&f, p, (long)(i == 0 ? 300 : i * 100), lv[digit % 4]);
			f.c[i].interactive = tty[(digit / 4) % 3];
		}
		d = run(&f, pols[pol], link == -2 ? AL_LINK_MISSING : AL_LINK_SYMLINK,
			link < 0 ? -1 : link, &probes);
		cases++;
		if (!follows_rule(&f, pols[pol], link, d)) {
			if (bad++ < 5)
				diag("wrong: policy %s, %u candidates, mask %u, link %d: "
				     "action %d index %d", al_policy_name(pols[pol]),
				     n, mask, link, (int)d.action, d.index);
		}
	}
	ok(bad == 0, "all %u combinations of link state, candidates (liveness "
	   "and terminal) and policy follow the rule (%u wrong)", cases, bad);
}

/* The reconnect's race: how long the link's agent gets, once the new
 * connection's agent has answered. */
static void
race_cases(void)
{
	long long floor_us = AL_RACE_FLOOR_MS * 1000LL;

	ok(al_race_patience_us(300) == floor_us,
	   "race: a loopback answer (300 us) gives the old agent the floor, %d ms",
	   AL_RACE_FLOOR_MS);
	ok(al_race_patience_us(-1) == floor_us && al_race_patience_us(0) == floor_us,
	   "race: no answer time is the floor too");
	ok(al_race_patience_us(floor_us / AL_RACE_FACTOR) == floor_us,
	   "race: at floor / factor the two rules meet");
	ok(al_race_patience_us(150000) == 150000LL * AL_RACE_FACTOR,
	   "race: a new agent answering in 150 ms gives the old one %d x that",
	   AL_RACE_FACTOR);
	/* An agent behind the same 150 ms link as the new one answers at
	 * about 150 ms after it was asked, long before its patience ends. */
	ok(al_race_patience_us(150000) > 150000 + 2 * 150000,
	   "race: a slow agent on the new one's network has time to spare");
	/* OpenSSH 9.5+ with a terminal sends on 20 ms ticks (22 with fuzz)
	 * while it obscures keystroke timing: an idle client's agent answers
	 * after one tick, a busy one's after two. */
	ok(al_race_patience_us(1000) > 22000 + 2000,
	   "race: an idle interactive 9.5+ client's agent (one tick) keeps the "
	   "link against a notty newcomer");
	ok(al_race_patience_us(22000) > 2 * 22000 + 2000,
	   "race: against a new interactive 9.5+ client (one tick), a busy "
	   "old one's agent (two ticks) keeps it");
}

int
main(void)
{
	race_cases();
	named_cases();
	interactive_cases();
	matrix();
	return done_testing();
}
