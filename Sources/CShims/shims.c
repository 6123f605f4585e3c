// Non-inline C wrappers live beside this file; the header declares them.
#include "CShims.h"
