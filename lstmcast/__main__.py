"""`python -m lstmcast` runs the same CLI as the `lstmcast` console script."""

from lstmcast.cli import main

if __name__ == "__main__":
    main()
