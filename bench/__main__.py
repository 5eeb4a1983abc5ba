"""The benchmark table at 1,000 and 10,000 documents (see bench/README.md); ``python -m bench.table -h`` for more.

python -m bench [--sizes 1000,10000] [--repeat 300] [--watch] [--slack] [--fanout]
"""

from bench.table import main

if __name__ == "__main__":
    main()
