/* esplash-app-text.h: the app's translated words for core values — stage
 * names, error headlines, chip summaries, durations. The core speaks
 * precise English detail; these go above it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash.h"

G_BEGIN_DECLS

/* "Writing bootloader.bin (2 of 3)…"; @region_name nullable. */
char       *esplash_stage_describe (EsplashStage  stage,
                                    guint         region_index,
                                    guint         region_count,
                                    const char   *region_name);
/* "12 seconds", "2:05 min" */
char       *esplash_format_duration (gdouble seconds);
/* The line under "Firmware flashed": how much was written, how fast, and
 * how much the board held already. */
char       *esplash_flash_result_text (guint64 bytes, guint64 unchanged, gdouble elapsed,
                                       guint resumed);
/* A headline for a failed job ("Could not connect to the board"). */
const char *esplash_error_title    (const GError     *error,
                                    EsplashJobAction  action);
/* What the user can do about @error, %NULL when nothing specific. */
const char *esplash_error_hint     (const GError *error);
/* Headline and (in @detail) what it means for the board, once cancelled. */
const char *esplash_job_cancelled_text (EsplashJobAction   action,
                                        const char       **detail);
/* "ESP32-S3 · revision v0.2 · 4.0 MiB flash · MAC … · 40 MHz crystal" */
char       *esplash_chip_summary   (const EsplashChipDescription *chip);
/* The diagnosis' title in the user's language, else the core's own
 * (which names the chip or the port). */
const char *esplash_diagnosis_title (const EsplashDiagnosis *diagnosis);

G_END_DECLS
