/* panic-app.c: a tiny freestanding "application" for crash-decoding tests,
 * built at test setup for rv32imc (ESP32-C3 style: code at 0x42000020).
 * esplash-sim --app-elf takes its panic backtrace from these functions;
 * the tests look for their names in the decoded frames.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

volatile int readings_seen;

__attribute__ ((noinline)) static void
store_reading (int *slot, int value)
{
  *slot = value;              /* slot is NULL for a bad reading: the crash */
  readings_seen++;
}

__attribute__ ((noinline)) void
parse_reading (int value)
{
  int *slot = value > 3 ? (int *) 0 : (int *) &readings_seen;

  store_reading (slot, value);
}

__attribute__ ((noinline)) void
sensor_task (void)
{
  for (int i = 0; i < 5; i++)
    parse_reading (i);
}

void
app_main (void)
{
  sensor_task ();
  for (;;)
    ;
}
