/* demo.c: a made-up file for the tests of package explain */
int demo_counter;

void demo_first(void)
{
	demo_counter = 1;
	/* two lines cited together */
	demo_counter++;
}

void demo_second(void)
{
	demo_counter = 0;
}
