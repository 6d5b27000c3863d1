#ifndef QUAERO_CLIBXML2_SHIM_H
#define QUAERO_CLIBXML2_SHIM_H

// Debian's libxml2 is built with ICU, and its headers then include ICU's, which clash with the ICU that
// Foundation brings into the same module. The HTML parser needs none of it: read the build options first,
// then switch ICU off before any other libxml header looks at it.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlmemory.h>

// `xmlFree` is a global function pointer, which Swift 6 rejects as shared mutable state; call it through this.
static inline void quaero_xml_free(void *pointer) { xmlFree(pointer); }

#endif
