/* test-diagnosis-rig.h: checks on an EsplashDiagnosis for tests — does
 * its evidence or its steps mention something, and print it for the log.
 * Included by test-diagnosis.c and test-diagnosis-host.c (which links no
 * simulator, so these live apart from test-device-rig.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include "esplash.h"

static inline gboolean
evidence_has (const EsplashDiagnosis *d,
              const char             *needle)
{
  for (guint i = 0; i < d->evidence->len; i++)
    if (strstr (g_ptr_array_index (d->evidence, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static inline gboolean
steps_have (const EsplashDiagnosis *d,
            const char             *needle)
{
  for (guint i = 0; i < d->steps->len; i++)
    {
      const EsplashDiagnosisStep *s = g_ptr_array_index (d->steps, i);

      if (strstr (s->text, needle) != NULL || (s->command != NULL && strstr (s->command, needle) != NULL))
        return TRUE;
    }
  return FALSE;
}

static inline void
print_diagnosis (const EsplashDiagnosis *d)
{
  g_autofree char *text = esplash_diagnosis_to_string (d);

  g_test_message ("%s", text);
}
