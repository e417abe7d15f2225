import { makeStyles } from '@material-ui/core';
import { DatabaseMark } from './LogoIcon';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 30,
  },
  text: {
    fill: '#ffffff',
    fontFamily: 'Helvetica, Arial, sans-serif',
    fontSize: 19,
    fontWeight: 700,
  },
});

/** The mark and the product's name, for the open sidebar. */
export const LogoFull = () => {
  const classes = useStyles();

  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 164 36"
      role="img"
    >
      <title>MySQL Portal</title>
      <DatabaseMark />
      <text className={classes.text} x="38" y="25">
        MySQL Portal
      </text>
    </svg>
  );
};
