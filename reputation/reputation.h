/*
 * reputation/reputation.h — everything the market needs, in one include.
 *
 * Per vote:	rep_vote_weight() (weights.h), rep_score_add() (posterior.h),
 *		rep_score_posterior(), rep_finalize_decide() (finalize.h).
 * On final:	rep_reward_shares(), rep_slash_amounts() (incentives.h),
 *		rep_reputation_update() (update.h).
 * In batch:	rep_ds_run(), rep_onecoin_run() (dawid_skene.h),
 *		rep_majority() (majority.h), rep_online_replay() (online.h).
 * All tunables: struct rep_params, rep_params_default() (params.h).
 */
#ifndef REP_REPUTATION_H
#define REP_REPUTATION_H

#include "reputation/params.h"
#include "reputation/weights.h"
#include "reputation/posterior.h"
#include "reputation/finalize.h"
#include "reputation/update.h"
#include "reputation/incentives.h"
#include "reputation/obs.h"
#include "reputation/majority.h"
#include "reputation/dawid_skene.h"
#include "reputation/online.h"
#include "reputation/live.h"

#endif
