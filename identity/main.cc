// idr: unified customer identity resolution. See `idr --help`.
#include "identity/cli.h"

int main(int argc, char** argv) { return idr::identity::RunIdr(argc, argv); }
