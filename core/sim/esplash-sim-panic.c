/* esplash-sim-panic.c: the application crashes on command — an ESP-IDF
 * panic report (Xtensa: register dump and backtrace; RISC-V: register
 * dump and stack memory), "Rebooting...", and the chip's restart. The
 * addresses point into the functions of the application's ELF when one
 * is given (docs/simulator.md "The application").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gelf.h>
#include <libelf.h>

#include "esplash-sim-private.h"

/* The panic-app test ELF's call chain (tests/app-elf/panic-app.c),
 * innermost first: when an ELF has all four, the crash goes through them. */
static const char *const known_chain[SIM_PANIC_FRAMES] = {
  "store_reading", "parse_reading", "sensor_task", "app_main",
};

/* Offsets of the made-up frames above the family's code base (no ELF). */
static const guint32 made_up_offsets[SIM_PANIC_FRAMES] = { 0x2b5a, 0x2a1e, 0x28f4, 0x27b0 };

/* Stack words between two frames; ESP-IDF dumps 1 KiB from SP on RISC-V. */
#define FRAME_STACK      0x20u
#define STACK_DUMP_BYTES 1024u
#define STACK_DUMP_WORDS 8u

/* mcause 7, EXCCAUSE 28: the reasons the report names (panic_arch.c tables) */
#define RISCV_STORE_ACCESS_FAULT 7u
#define XTENSA_LOAD_PROHIBITED   28u

typedef struct {
  guint32  value;
  guint32  size;
  char    *name;
} ElfFunc;

static void
elf_func_clear (gpointer data)
{
  g_free (((ElfFunc *) data)->name);
}

static gint
by_address_descending (gconstpointer a,
                       gconstpointer b)
{
  const ElfFunc *fa = a, *fb = b;

  return fa->value < fb->value ? 1 : fa->value > fb->value ? -1 : 0;
}

/* FUNC symbols of non-zero size from the ELF's symbol tables. */
static gboolean
read_functions (guint8      *data,
                gsize        len,
                GArray      *funcs,
                GError     **error)
{
  Elf *elf;
  Elf_Scn *scn = NULL;

  if (elf_version (EV_CURRENT) == EV_NONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libelf: %s", elf_errmsg (-1));
      return FALSE;
    }
  elf = elf_memory ((char *) data, len);
  if (elf == NULL || elf_kind (elf) != ELF_K_ELF)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not an ELF file");
      if (elf != NULL)
        elf_end (elf);
      return FALSE;
    }
  while ((scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr shdr;
      Elf_Data *symbols;
      gsize n;

      if (gelf_getshdr (scn, &shdr) == NULL || shdr.sh_type != SHT_SYMTAB || shdr.sh_entsize == 0)
        continue;
      symbols = elf_getdata (scn, NULL);
      n = shdr.sh_size / shdr.sh_entsize;
      for (gsize i = 0; symbols != NULL && i < n; i++)
        {
          GElf_Sym sym;
          const char *name;
          ElfFunc func;

          if (gelf_getsym (symbols, (int) i, &sym) == NULL || GELF_ST_TYPE (sym.st_info) != STT_FUNC
              || sym.st_size == 0 || sym.st_shndx == SHN_UNDEF || sym.st_value > G_MAXUINT32)
            continue;
          name = elf_strptr (elf, shdr.sh_link, sym.st_name);
          func.value = (guint32) sym.st_value;
          func.size = (guint32) MIN (sym.st_size, (GElf_Xword) G_MAXUINT32);
          func.name = g_strdup (name != NULL ? name : "");
          g_array_append_val (funcs, func);
        }
    }
  elf_end (elf);
  return TRUE;
}

static void
set_frame (EsplashSim    *self,
           guint          i,
           const ElfFunc *func)
{
  /* an even offset inside the function: half its size, rounded down to 2 */
  self->frames[i].address = func->value + ((func->size / 2) & ~1u);
  self->frames[i].function = g_strdup (func->name);
}

/* The call chain from the ELF: store_reading ← parse_reading ← sensor_task
 * ← app_main when it has them all, else its (up to) four functions with
 * the highest addresses, the highest innermost. */
static guint
chain_from_elf (EsplashSim *self,
                GArray     *funcs)
{
  const ElfFunc *found[SIM_PANIC_FRAMES] = { NULL };
  guint n_found = 0, n = 0;

  for (guint k = 0; k < SIM_PANIC_FRAMES; k++)
    for (guint i = 0; i < funcs->len && found[k] == NULL; i++)
      if (g_str_equal (g_array_index (funcs, ElfFunc, i).name, known_chain[k]))
        {
          found[k] = &g_array_index (funcs, ElfFunc, i);
          n_found++;
        }
  if (n_found == SIM_PANIC_FRAMES)
    {
      for (guint k = 0; k < SIM_PANIC_FRAMES; k++)
        set_frame (self, k, found[k]);
      return SIM_PANIC_FRAMES;
    }

  g_array_sort (funcs, by_address_descending);
  for (guint i = 0; i < funcs->len && n < SIM_PANIC_FRAMES; i++)
    {
      const ElfFunc *func = &g_array_index (funcs, ElfFunc, i);

      if (i > 0 && func->value == g_array_index (funcs, ElfFunc, i - 1).value)
        continue;   /* aliases of one function */
      set_frame (self, n++, func);
    }
  return n;
}

void
sim_app_clear (EsplashSim *self)
{
  for (guint i = 0; i < SIM_PANIC_FRAMES; i++)
    g_clear_pointer (&self->frames[i].function, g_free);
  self->n_frames = 0;
  g_clear_pointer (&self->app_elf_sha256, g_free);
}

/* Frames (and the SHA-256 the application prints) from options.app_elf;
 * made-up frames in the family's flash-mapped code without one, or when
 * it cannot be read (the event log says why). */
void
sim_app_load_elf (EsplashSim *self)
{
  const SimAppLayout *layout = sim_app_layout (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GArray) funcs = g_array_new (FALSE, FALSE, sizeof (ElfFunc));
  gsize len = 0;

  sim_app_clear (self);
  g_array_set_clear_func (funcs, elf_func_clear);
  if (self->app_elf != NULL)
    {
      if (g_file_get_contents (self->app_elf, &contents, &len, &error)
          && read_functions ((guint8 *) contents, len, funcs, &error))
        {
          self->app_elf_sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guint8 *) contents, len);
          self->n_frames = chain_from_elf (self, funcs);
          if (self->n_frames == 0)
            sim_event (self, "app-elf %s: no functions, addresses made up", self->app_elf);
        }
      else
        sim_event (self, "app-elf %s: %s, addresses made up", self->app_elf, error->message);
    }
  if (self->n_frames == 0)
    {
      for (guint i = 0; i < SIM_PANIC_FRAMES; i++)
        self->frames[i].address = layout->code_base + made_up_offsets[i];
      self->n_frames = SIM_PANIC_FRAMES;
    }
}

/* ---------------------------------------------------------------- report */

/* One "NAME    : 0x%08x  " cell per register, four to a line, as
 * panic_print_registers() lays them out. */
static void
append_registers (GString           *out,
                  const char *const *names,
                  const guint32     *values,
                  guint              n)
{
  g_string_append (out, "Core  0 register dump:");
  for (guint i = 0; i < n; i++)
    {
      if (i % 4 == 0)
        g_string_append (out, "\r\n");
      g_string_append_printf (out, "%-8s: 0x%08x  ", names[i], values[i]);
    }
  g_string_append (out, "\r\n");
}

/* The caller of frame @i (0 = the crash) as a return address, or the
 * task wrapper above the outermost frame. */
static guint32
caller (EsplashSim *self,
        guint       i)
{
  return i + 1 < self->n_frames ? self->frames[i + 1].address : sim_app_layout (self)->task_entry;
}

static void
riscv_report (EsplashSim         *self,
              const SimAppLayout *layout,
              GString            *out)
{
  static const char *const names[] = {
    "MEPC", "RA", "SP", "GP", "TP", "T0", "T1", "T2",
    "S0/FP", "S1", "A0", "A1", "A2", "A3", "A4", "A5",
    "A6", "A7", "S2", "S3", "S4", "S5", "S6", "S7",
    "S8", "S9", "S10", "S11", "T3", "T4", "T5", "T6",
    "MSTATUS", "MTVEC", "MCAUSE", "MTVAL", "MHARTID",
  };
  guint32 sp = layout->stack_pointer;
  guint32 values[G_N_ELEMENTS (names)] = {
    self->frames[0].address, caller (self, 0), sp, layout->gp,
    sp + 0x120, 0x4005890e, 0x0000000f, 0xffffffff,
    0x00000000, sp + 0x40, 0x00000000, 0x00000004,
    0x00000000, 0x00000001, 0x00000004, 0x00000000,
    0x00000000, 0x00000003, 0x00000000, 0x00000001,
    0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00001881, layout->mtvec, RISCV_STORE_ACCESS_FAULT, 0x00000000, 0x00000000,
  };

  g_string_append (out, "Guru Meditation Error: Core  0 panic'ed (Store access fault). Exception was unhandled.\r\n\r\n");
  append_registers (out, names, values, G_N_ELEMENTS (names));

  /* the callers' return addresses where their frames saved them, then
   * FreeRTOS's stack fill */
  g_string_append (out, "\r\nStack memory:\r\n");
  for (guint32 offset = 0; offset < STACK_DUMP_BYTES; offset += 4 * STACK_DUMP_WORDS)
    {
      g_string_append_printf (out, "%08x:", sp + offset);
      for (guint32 w = 0; w < STACK_DUMP_WORDS; w++)
        {
          guint32 index = (offset / 4) + w;
          guint32 frame = index / (FRAME_STACK / 4) + 1;
          guint32 word = 0;

          if (index % (FRAME_STACK / 4) == 3 && frame < self->n_frames)
            word = caller (self, frame);
          else if (index % (FRAME_STACK / 4) == 1 && frame <= self->n_frames)
            word = sp + (frame + 1) * FRAME_STACK;
          else if (offset >= STACK_DUMP_BYTES / 2)
            word = 0xa5a5a5a5;
          g_string_append_printf (out, " 0x%08x", word);
        }
      g_string_append (out, "\r\n");
    }
}

/* Windowed-ABI return address as A0 holds it (call8: top bits 10). */
static guint32
windowed (guint32 address)
{
  return (address & 0x3fffffffu) | 0x80000000u;
}

static void
xtensa_report (EsplashSim         *self,
               const SimAppLayout *layout,
               GString            *out)
{
  static const char *const names[] = {
    "PC", "PS", "A0", "A1", "A2", "A3", "A4", "A5",
    "A6", "A7", "A8", "A9", "A10", "A11", "A12", "A13",
    "A14", "A15", "SAR", "EXCCAUSE", "EXCVADDR", "LBEG", "LEND", "LCOUNT",
  };
  gboolean esp32 = self->chip->family == ESPLASH_CHIP_ESP32;
  guint32 sp = layout->stack_pointer;
  /* ESP-IDF prints each backtrace PC as the address minus 3 (the call
   * before the return address): the registers hold the frames + 3 */
  guint32 values[G_N_ELEMENTS (names)] = {
    self->frames[0].address + 3, 0x00060b30, windowed (caller (self, 0) + 3), sp,
    0x00000000, 0x00000004, sp + 0x40, 0x00000000,
    0x00000001, 0x00000000, windowed (self->frames[0].address + 3), sp - 0x20,
    0x00000000, 0x00000004, 0x00000000, 0x00000000,
    0x00000000, 0x00000001, 0x00000004, XTENSA_LOAD_PROHIBITED,
    0x00000000, esp32 ? 0x4000c2e0 : 0, esp32 ? 0x4000c2f6 : 0, esp32 ? 0xffffffff : 0,
  };

  g_string_append (out, "Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.\r\n\r\n");
  append_registers (out, names, values, G_N_ELEMENTS (names));
  g_string_append (out, "\r\n\r\nBacktrace:");
  for (guint i = 0; i < self->n_frames; i++)
    g_string_append_printf (out, " 0x%08x:0x%08x", self->frames[i].address, sp + i * FRAME_STACK);
  g_string_append (out, "\r\n\r\n");
}

/**
 * esplash_sim_panic:
 *
 * The running application crashes: it prints ESP-IDF's panic report —
 * "Guru Meditation Error: Core  0 panic'ed (LoadProhibited)" with the
 * register dump and a backtrace on Xtensa chips (ESP8266, ESP32, S2, S3),
 * "(Store access fault)" with the register dump and stack memory on RISC-V
 * ones — then "ELF file SHA256: …" and "Rebooting...", and the chip
 * restarts (a CPU or system reset as the family's ESP-IDF does it; the
 * boot mode latched at the last hardware reset holds). The crash is in the
 * application ELF's functions (EsplashSimOptions.app_elf). Does nothing
 * but log an event when no application runs.
 */
void
esplash_sim_panic (EsplashSim *self)
{
  const SimAppLayout *layout;
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 now;

  g_return_if_fail (ESPLASH_IS_SIM (self));

  g_mutex_lock (&self->lock);
  now = sim_now ();
  sim_board_touch (self, now);
  if (self->state != ESPLASH_SIM_STATE_APP || now < self->booted_us)
    {
      sim_event (self, "panic ignored: no application running");
      g_mutex_unlock (&self->lock);
      return;
    }
  layout = sim_app_layout (self);
  if (layout->riscv)
    riscv_report (self, layout, out);
  else
    xtensa_report (self, layout, out);
  /* esp_panic_handler(): after the state, the ELF's SHA and the restart */
  g_string_append_printf (out, "\r\n\r\nELF file SHA256: %s\r\n\r\nRebooting...\r\n", self->app_sha);
  sim_event (self, "panic %s at 0x%08x", layout->riscv ? "Store access fault" : "LoadProhibited",
             self->frames[0].address);
  sim_emit_text (self, out->str, now);
  sim_board_software_reset (self, SIM_RESET_PANIC, MAX (self->tx_free_us, now));
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}
