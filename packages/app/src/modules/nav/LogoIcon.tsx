import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 28,
  },
});

/** The portal's mark, a database cylinder; shared with the full logo. */
export const DatabaseMark = () => (
  <g>
    <path d="M3 6v24c0 2.8 5.8 5 13 5s13-2.2 13-5V6z" fill="#7df3e1" />
    <ellipse cx="16" cy="6" rx="13" ry="5" fill="#b8fbf0" />
    <path
      d="M3 14c0 2.8 5.8 5 13 5s13-2.2 13-5M3 22c0 2.8 5.8 5 13 5s13-2.2 13-5"
      fill="none"
      stroke="#171717"
      strokeWidth="2"
    />
  </g>
);

/** The mark alone, for the collapsed sidebar. */
export const LogoIcon = () => {
  const classes = useStyles();

  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 32 36"
      role="img"
    >
      <title>MySQL Portal</title>
      <DatabaseMark />
    </svg>
  );
};
