#include <kernel/undo.h>

// Undo data is all templates (undo.h); this file checks the header compiles
// on its own.
