/* esplash-event.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-event.h"

/**
 * esplash_stage_nick:
 * @stage: an #EsplashStage
 *
 * Returns: (transfer none): a stable English name, as used in JSON output
 */
const char *
esplash_stage_nick (EsplashStage stage)
{
  static const char *const nicks[] = {
    [ESPLASH_STAGE_IDLE] = "idle",
    [ESPLASH_STAGE_OPENING] = "opening",
    [ESPLASH_STAGE_RESETTING] = "resetting",
    [ESPLASH_STAGE_SYNCING] = "syncing",
    [ESPLASH_STAGE_DETECTING] = "detecting",
    [ESPLASH_STAGE_UPLOADING_STUB] = "uploading-stub",
    [ESPLASH_STAGE_CHANGING_BAUD] = "changing-baud",
    [ESPLASH_STAGE_ERASING] = "erasing",
    [ESPLASH_STAGE_WRITING] = "writing",
    [ESPLASH_STAGE_VERIFYING] = "verifying",
    [ESPLASH_STAGE_READING] = "reading",
    [ESPLASH_STAGE_LEAVING] = "leaving",
    [ESPLASH_STAGE_DONE] = "done",
    [ESPLASH_STAGE_RECONNECTING] = "reconnecting",
  };

  if ((guint) stage < G_N_ELEMENTS (nicks) && nicks[stage] != NULL)
    return nicks[stage];
  return "unknown";
}

/**
 * esplash_log_level_nick:
 * @level: an #EsplashLogLevel
 *
 * Returns: (transfer none): "debug", "info", "warning" or "error"
 */
const char *
esplash_log_level_nick (EsplashLogLevel level)
{
  switch (level)
    {
    case ESPLASH_LOG_DEBUG:
      return "debug";
    case ESPLASH_LOG_INFO:
      return "info";
    case ESPLASH_LOG_WARNING:
      return "warning";
    case ESPLASH_LOG_ERROR:
      return "error";
    default:
      return "unknown";
    }
}
