/* flat.c: a made-up file found without a version directory */
int flat_value = 1;
int flat_other = 2;
