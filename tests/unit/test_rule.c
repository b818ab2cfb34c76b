/*
 * test_rule - al_decide() over every combination of link state and
 * candidate set, plus the cases worth naming on their own.
 */
#include <stdio.h>
#include <string.h>

#include "agentlink.h"
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

/*
 * Link states: missing, dangling / at a non-socket / at another user's
 * socket (all "not a candidate": target -1), at a dead candidate, at a
 * live candidate.  Candidate sets: every liveness of up to three (dead,
 * accepts, hung, answers), learned one probe at a time: the newest usable
 * one (accepts or answers) wins, a hung link is kept only when nothing is
 * usable, and no link ever goes to a dead or hung socket.
 */
static void
matrix(void)
{
	static const enum al_liveness lv[4] = { AL_DEAD, AL_LIVE, AL_HUNG, AL_ANSWERS };
	unsigned bad = 0, cases = 0, mask, n, i;
	int pol, link, probes;

	for (pol = 0; pol < 2; pol++)
	for (n = 0; n <= 3; n++)
	for (mask = 0; mask < (1u << (2 * n)); mask++)
	for (link = -2; link < (int)n; link++) {
		/* link -2: missing; -1: not a candidate; >= 0: that one */
		struct fixture f;
		struct al_decision d;
		int newest = -1;
		int any_live = 0;

		memset(&f, 0, sizeof(f));
		for (i = 0; i < n; i++) {
			char p[32];

			snprintf(p, sizeof(p), "/tmp/ssh-%u/agent.%u", i, i + 10);
			/* times 300, 100, 200: order differs from index order */
			add(&f, p, (long)(i == 0 ? 300 : i * 100), lv[(mask >> (2 * i)) & 3]);
			if (usable(f.truth[i])) {
				any_live = 1;
				if (newest < 0 || f.c[i].mtime.tv_sec > f.c[newest].mtime.tv_sec)
					newest = (int)i;
			}
		}
		d = run(&f, pol ? AL_POLICY_NEWEST : AL_POLICY_KEEP,
			link == -2 ? AL_LINK_MISSING : AL_LINK_SYMLINK,
			link < 0 ? -1 : link, &probes);
		cases++;
		if (d.action == AL_ACT_PROBE) {
			bad++;
			diag("bad probe request pol=%d n=%u mask=%u link=%d", pol, n, mask, link);
			continue;
		}
		if (!any_live && link >= 0 && f.truth[link] == AL_HUNG) {
			if (d.action != AL_ACT_KEEP || d.index != link)
				bad++;
			continue;
		}
		if (!any_live) {
			if (d.action != (link == -2 ? AL_ACT_NONE : AL_ACT_REMOVE))
				bad++;
		} else if (!pol && link >= 0 && usable(f.truth[link])) {
			if (d.action != AL_ACT_KEEP || d.index != link)
				bad++;
		} else if (link == newest) {
			if (d.action != AL_ACT_KEEP || d.index != newest)
				bad++;
		} else if (d.action != AL_ACT_LINK || d.index != newest) {
			bad++;
		}
		if ((d.action == AL_ACT_LINK || d.action == AL_ACT_KEEP) &&
		    !usable(f.truth[d.index]))
			bad++;
	}
	ok(bad == 0, "all %u combinations of link state, candidates and policy "
	   "follow the rule (%u wrong)", cases, bad);
}

int
main(void)
{
	named_cases();
	matrix();
	return done_testing();
}
