/* stands in for a folder that has no module yet */
typedef int r2ci_empty_t;
